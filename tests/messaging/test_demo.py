from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from messaging.models import (
    CannedReply,
    Message,
    SatisfactionSurvey,
    StoreBranding,
    Thread,
    WhatsAppTemplate,
)
from orders.models import Membership


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the demo stores' logos
    call_command("demo_data", orders=60, stdout=StringIO())


def test_demo_messages_cover_every_channel_and_the_unmatched_inbox(demo):
    out = StringIO()
    call_command("demo_messages", stdout=out)
    assert "Demo messages:" in out.getvalue()
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND)
    assert set(inbound.values_list("channel", flat=True)) >= {
        Message.Channel.EMAIL,
        Message.Channel.WHATSAPP,
        Message.Channel.SMS,
        Message.Channel.IN_APP,
    }
    assert Message.objects.filter(thread=None).count() == 2
    assert Message.objects.filter(visibility=Message.Visibility.INTERNAL).exists()
    assert Thread.objects.filter(status=Thread.Status.CLOSED).exists()
    assert Thread.objects.exclude(awaiting_reply_since=None).exists()
    # The team's tools: canned replies, labels on what customers asked, a snooze.
    assert CannedReply.objects.exists()
    assert Thread.objects.filter(labels__name="Missing item").exists()
    assert Thread.objects.exclude(snoozed_until=None).count() == 1
    assert set(WhatsAppTemplate.objects.values_list("purpose", "language")) == {
        ("order_update", "en"),
        ("order_update", "sv"),
        ("reply_waiting", "en"),
        ("reply_waiting", "sv"),
    }


def test_demo_customers_answered_how_we_did(demo, client):
    """The metrics page shows customer satisfaction on a fresh demo."""
    call_command("demo_messages", stdout=StringIO())
    surveys = SatisfactionSurvey.objects.all()
    assert not surveys.exclude(status=SatisfactionSurvey.Status.SENT).exists()
    assert surveys.filter(rating__isnull=False).count() >= 5
    assert surveys.filter(rating__isnull=True).exists()
    staff = Membership.objects.filter(role=Membership.Role.ADMIN).first().user
    client.force_login(staff)
    page = client.get(reverse("messaging:metrics")).content.decode()
    assert "answered (" in page


def test_demo_messages_if_empty_leaves_existing_conversations(demo):
    call_command("demo_messages", stdout=StringIO())
    count = Message.objects.count()
    out = StringIO()
    call_command("demo_messages", if_empty=True, stdout=out)
    assert Message.objects.count() == count
    assert "left as is" in out.getvalue()


def test_the_demo_mails_nobody_its_past_is_on_record(demo):
    from performile.models import OutboxMessage

    call_command("demo_messages", stdout=StringIO())
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


def test_the_demo_stores_have_their_email_branding(demo):
    call_command("demo_messages", stdout=StringIO())
    brandings = StoreBranding.objects.select_related("store")
    assert {b.store.name: b.display_name for b in brandings} == {
        "Nordic Goods Shopify": "Nordic Goods",
        "Nordic Goods Woo": "Fjordtrade",
        "Pixel Forge Discord": "Pixel Forge",
    }
    assert all(b.logo and b.colour and b.sign_off for b in brandings)
