"""The inbound log: deliveries are recorded and acknowledged, applied later.

The old delivery ledger becomes InboundKey, keys and all, so an event applied
before this migration is still a duplicate after it.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Now

NOTIFY = """
CREATE FUNCTION performile_inbound_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('performile_inbound', '');
    RETURN NULL;
END $$;
CREATE TRIGGER performile_inbound_notify
    AFTER INSERT ON performile_inbounddelivery
    FOR EACH STATEMENT EXECUTE FUNCTION performile_inbound_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("performile", "0003_audit_outbox_provider_idx")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE performile_inbound_seq",
            "DROP SEQUENCE performile_inbound_seq",
        ),
        migrations.CreateModel(
            name="InboundDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("provider", models.CharField(max_length=32)),
                ("delivery_id", models.CharField(max_length=255)),
                ("entity", models.CharField(max_length=255)),
                ("store_id", models.BigIntegerField(blank=True, null=True)),
                ("merchant_id", models.BigIntegerField(blank=True, null=True)),
                ("route", models.JSONField(blank=True, default=dict, help_text="What the URL said: store, account, topic.")),
                ("headers", models.JSONField(blank=True, default=dict)),
                ("body", models.BinaryField()),
                ("status", models.CharField(choices=[("pending", "Pending"), ("applied", "Applied"), ("duplicate", "Duplicate"), ("ignored", "Ignored"), ("failed", "Failed")], default="pending", max_length=16)),
                ("seq", models.BigIntegerField(db_default=models.Func(models.Value("performile_inbound_seq"), function="nextval"), editable=False)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("available_at", models.DateTimeField(db_default=Now())),
                ("received_at", models.DateTimeField(db_default=Now())),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                ("result", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "verbose_name_plural": "inbound deliveries",
                "indexes": [
                    models.Index(condition=models.Q(("status", "pending")), fields=["seq"], name="inbound_pending_idx"),
                    models.Index(condition=models.Q(("status", "pending")), fields=["entity", "seq"], name="inbound_pending_entity_idx"),
                    models.Index(fields=["provider", "-received_at"], name="inbound_provider_idx"),
                    models.Index(fields=["store_id", "-received_at"], name="inbound_store_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("provider", "delivery_id"), name="inbound_delivery_unique")
                ],
            },
        ),
        migrations.RunSQL(
            NOTIFY,
            "DROP TRIGGER performile_inbound_notify ON performile_inbounddelivery;"
            " DROP FUNCTION performile_inbound_notify();",
        ),
        migrations.RemoveConstraint(model_name="webhookdelivery", name="webhook_delivery_unique"),
        migrations.RenameModel("WebhookDelivery", "InboundKey"),
        migrations.AlterModelOptions(name="inboundkey", options={}),
        migrations.RenameField("inboundkey", "delivery_id", "key"),
        migrations.RenameField("inboundkey", "received_at", "created_at"),
        migrations.AlterField(
            model_name="inboundkey",
            name="provider",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="inboundkey",
            name="created_at",
            field=models.DateTimeField(db_default=Now()),
        ),
        migrations.AddField(
            model_name="inboundkey",
            name="delivery",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="performile.inbounddelivery"),
        ),
        migrations.AddConstraint(
            model_name="inboundkey",
            constraint=models.UniqueConstraint(fields=("provider", "key"), name="inbound_key_unique"),
        ),
    ]
