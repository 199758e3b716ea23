"""The claim takes providers' deliveries first, then domain events: an index each;
per-entity order comes from advisory locks, not an index on the entity."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("performile", "0004_inbound_log")]

    operations = [
        migrations.RemoveIndex(model_name="inbounddelivery", name="inbound_pending_idx"),
        migrations.RemoveIndex(
            model_name="inbounddelivery", name="inbound_pending_entity_idx"
        ),
        migrations.AddIndex(
            model_name="inbounddelivery",
            index=models.Index(
                condition=models.Q(("provider", "event"), ("status", "pending")),
                fields=["seq"],
                name="inbound_pending_events_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="inbounddelivery",
            index=models.Index(
                condition=models.Q(("status", "pending"), models.Q(("provider", "event"), _negated=True)),
                fields=["seq"],
                name="inbound_pending_idx",
            ),
        ),
    ]
