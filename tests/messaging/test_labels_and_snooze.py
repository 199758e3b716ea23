"""Labels and snooze: the team's labels (kept per merchant, on conversations,
filtered by in the Inbox) and snoozing a conversation out of the Inbox until a
time or until the customer writes, with a frozen clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from messaging import inbox, services, snooze
from messaging.models import Label, Thread
from orders.models import OrderEvent
from performile.errors import ApplicationError, NotAllowed
from performile.models import AuditEvent
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A Wednesday, 15:00 in Stockholm.
WEDNESDAY = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-51001")


@pytest.fixture
def asked(order, customer):
    services.message_send_in_app(
        order=order, actor=customer.user, body="The lid is cracked."
    )
    return order


@pytest.fixture
def returns(merchant, staff_user):
    return services.label_create(
        merchant=merchant, actor=staff_user, name="Return", colour="orange"
    )


def inbox_page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("messaging:inbox"), query).content.decode()


# --- Labels ------------------------------------------------------------------------


def test_staff_keep_labels_with_unique_names_and_known_colours(
    merchant, staff_user, returns
):
    assert returns.merchant == merchant
    with pytest.raises(ApplicationError) as taken:
        services.label_create(
            merchant=merchant, actor=staff_user, name="  return ", colour="red"
        )
    assert taken.value.fields["name"] == ["Another label has this name."]
    with pytest.raises(ApplicationError) as colour:
        services.label_create(
            merchant=merchant, actor=staff_user, name="VIP", colour="chartreuse"
        )
    assert "colour" in colour.value.fields
    assert list(Label.objects.values_list("name", flat=True)) == ["Return"]
    assert AuditEvent.objects.filter(action="label.created").count() == 1


def test_only_the_merchants_team_keeps_labels(
    merchant, reseller, other_merchant_staff, returns
):
    for outsider in (reseller, other_merchant_staff):
        with pytest.raises(NotAllowed):
            services.label_create(
                merchant=merchant, actor=outsider, name="Mine", colour="blue"
            )
        with pytest.raises(NotAllowed):
            services.label_delete(label=returns, actor=outsider)
    assert Label.objects.count() == 1


def test_a_conversation_carries_the_labels_chosen_and_the_inbox_filters_by_them(
    client, asked, store, customer, staff_user, returns
):
    other = OrderFactory(store=store, customer=customer, order_number="ORD-51002")
    services.message_send_in_app(order=other, actor=customer.user, body="Hello?")
    services.thread_set_labels(order=asked, actor=staff_user, label_ids=[returns.pk])

    thread = Thread.objects.get(order=asked)
    assert list(thread.labels.all()) == [returns]
    event = OrderEvent.feed_events.filter(order=asked).last()
    assert event.feed_kind == "labels"
    assert AuditEvent.objects.filter(action="thread.labelled").exists()

    labelled = inbox_page(client, staff_user, label=returns.pk)
    assert "ORD-51001" in labelled
    assert "ORD-51002" not in labelled
    everything = inbox_page(client, staff_user)
    assert "ORD-51002" in everything
    assert 'class="pill pill--orange">Return</span>' in everything


def test_another_merchants_label_is_refused_and_nothing_changes(
    asked, staff_user, returns, other_store, other_merchant_staff
):
    theirs = services.label_create(
        merchant=other_store.merchant,
        actor=other_merchant_staff,
        name="Theirs",
        colour="red",
    )
    services.thread_set_labels(order=asked, actor=staff_user, label_ids=[returns.pk])
    with pytest.raises(ApplicationError):
        services.thread_set_labels(
            order=asked, actor=staff_user, label_ids=[returns.pk, theirs.pk]
        )
    assert list(Thread.objects.get(order=asked).labels.all()) == [returns]


def test_a_deleted_label_comes_off_its_conversations(asked, staff_user, returns):
    services.thread_set_labels(order=asked, actor=staff_user, label_ids=[returns.pk])
    services.label_delete(label=returns, actor=staff_user)
    assert not Thread.objects.get(order=asked).labels.exists()
    audit = AuditEvent.objects.get(action="label.deleted")
    assert audit.data["conversations"] == 1


def test_the_labels_page_saves_a_label_and_refuses_a_bad_one(
    client, staff_user, customer
):
    client.force_login(staff_user)
    saved = client.post(
        reverse("messaging:labels"), {"name": "VIP", "colour": "violet"}
    )
    assert saved.status_code == 302
    refused = client.post(reverse("messaging:labels"), {"name": "", "colour": "violet"})
    assert refused.status_code == 400
    assert list(Label.objects.values_list("name", flat=True)) == ["VIP"]
    page = client.get(reverse("messaging:labels")).content.decode()
    vip = Label.objects.get()
    assert f'href="/messages/?label={vip.pk}"' in page
    assert "Delete “VIP”? It comes off 0 conversation(s)." in page
    client.force_login(customer.user)
    assert client.get(reverse("messaging:labels")).status_code in (302, 403)


def test_labels_are_set_from_the_conversation_pane(client, asked, staff_user, returns):
    client.force_login(staff_user)
    url = reverse("messaging:thread-labels", args=[asked.pk])
    answer = client.post(url, {"labels": [returns.pk]}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "Labels saved." in answer.headers["HX-Trigger"]
    assert list(Thread.objects.get(order=asked).labels.all()) == [returns]
    refused = client.post(url, {"labels": ["999999"]}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert list(Thread.objects.get(order=asked).labels.all()) == [returns]


# --- Snooze ------------------------------------------------------------------------


def test_the_snooze_choices_are_the_shops_mornings():
    assert snooze.snooze_until(
        "hour", WEDNESDAY, STOCKHOLM
    ) == WEDNESDAY + dt.timedelta(hours=1)
    tomorrow = snooze.snooze_until("tomorrow", WEDNESDAY, STOCKHOLM)
    assert tomorrow == dt.datetime(2026, 3, 5, 8, 0, tzinfo=STOCKHOLM)
    monday = snooze.snooze_until("monday", WEDNESDAY, STOCKHOLM)
    assert monday == dt.datetime(2026, 3, 9, 8, 0, tzinfo=STOCKHOLM)
    with pytest.raises(ValueError, match="Unknown snooze"):
        snooze.snooze_until("custom", WEDNESDAY, STOCKHOLM)


def test_a_snoozed_conversation_leaves_the_inbox_until_its_time(
    client, asked, staff_user
):
    with time_machine.travel(WEDNESDAY, tick=False):
        services.thread_snooze(
            order=asked, actor=staff_user, until=WEDNESDAY + dt.timedelta(hours=2)
        )
        assert "ORD-51001" not in inbox_page(client, staff_user)
        assert "ORD-51001" in inbox_page(client, staff_user, snoozed="1")
        assert "ORD-51001" in inbox_page(client, staff_user, q="cracked")
        assert inbox.view_counts(staff_user)["snoozed"] == 1
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=3), tick=False):
        assert "ORD-51001" in inbox_page(client, staff_user)
        assert inbox.view_counts(staff_user)["snoozed"] == 0


def test_the_customer_writing_wakes_a_snoozed_conversation(
    client, asked, customer, staff_user
):
    with time_machine.travel(WEDNESDAY, tick=False):
        services.thread_snooze(
            order=asked, actor=staff_user, until=WEDNESDAY + dt.timedelta(days=5)
        )
        services.message_send_in_app(
            order=asked, actor=customer.user, body="Any news on the lid?"
        )
        assert Thread.objects.get(order=asked).snoozed_until is None
        assert "ORD-51001" in inbox_page(client, staff_user)


def test_a_snooze_is_in_the_future_and_within_ninety_days(asked, staff_user):
    with time_machine.travel(WEDNESDAY, tick=False):
        for until in (
            WEDNESDAY - dt.timedelta(minutes=1),
            WEDNESDAY + dt.timedelta(days=91),
        ):
            with pytest.raises(ApplicationError):
                services.thread_snooze(order=asked, actor=staff_user, until=until)
    assert Thread.objects.get(order=asked).snoozed_until is None


def test_snoozing_from_the_pane_and_waking_it_again(client, asked, staff_user):
    client.force_login(staff_user)
    url = reverse("messaging:snooze", args=[asked.pk])
    with time_machine.travel(WEDNESDAY, tick=False):
        answer = client.post(url, {"until": "tomorrow"}, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        assert "Snoozed until" in answer.content.decode()
        thread = Thread.objects.get(order=asked)
        assert thread.snoozed_until == dt.datetime(2026, 3, 5, 7, 0, tzinfo=dt.UTC)
        missing = client.post(url, {"until": "custom"}, HTTP_HX_REQUEST="true")
        assert missing.status_code == 422
        woken = client.post(url, {"wake": "1"}, HTTP_HX_REQUEST="true")
        assert woken.status_code == 200
    assert Thread.objects.get(order=asked).snoozed_until is None
    kinds = [e.feed_kind for e in OrderEvent.feed_events.filter(order=asked)]
    assert kinds.count("snooze") == 2


def test_only_the_team_snoozes(asked, reseller, customer):
    for outsider in (reseller, customer.user):
        with pytest.raises(NotAllowed):
            services.thread_snooze(order=asked, actor=outsider, until=None)


# --- The three panes -------------------------------------------------------------


def test_the_views_count_open_conversations(asked, store, customer, staff_user):
    mine = OrderFactory(store=store, customer=customer, assigned_staff=staff_user)
    services.message_send_in_app(order=mine, actor=customer.user, body="Hello")
    counts = inbox.view_counts(staff_user)
    assert counts == {"mine": 1, "unassigned": 1, "waiting": 2, "snoozed": 0}


def test_the_pane_shows_the_conversation_with_the_orders_facts(
    client, asked, staff_user, returns
):
    client.force_login(staff_user)
    url = reverse("messaging:conversation", args=[asked.pk])
    pane = client.get(url, HTTP_HX_REQUEST="true")
    assert pane.status_code == 200
    html = pane.content.decode()
    assert "The lid is cracked." in html
    assert 'aria-label="The order"' in html
    assert "ORD-51001" in html
    assert "Save labels" in html
    assert "Snooze" in html
    assert "performile:thread-read" in pane.headers["HX-Trigger"]

    assert client.get(url).headers["Location"].endswith(f"?open={asked.pk}")
    page = client.get(reverse("messaging:inbox"), {"open": asked.pk})
    assert f'data-conversation="{asked.pk}"' in page.content.decode()
    assert "has-pane" in page.content.decode()


def test_a_reseller_reads_the_pane_without_the_teams_tools(
    client, second_store, customer, reseller
):
    theirs = OrderFactory(store=second_store, customer=customer)
    services.message_send_in_app(order=theirs, actor=customer.user, body="Hello?")
    client.force_login(reseller)
    pane = client.get(
        reverse("messaging:conversation", args=[theirs.pk]), HTTP_HX_REQUEST="true"
    )
    assert pane.status_code == 200
    assert "Hello?" in pane.content.decode()
    assert "Save labels" not in pane.content.decode()
    assert "Snooze" not in pane.content.decode()


def test_the_views_name_the_one_shown(client, asked, staff_user, returns):
    page = inbox_page(client, staff_user, label=returns.pk, open=asked.pk)
    assert f'href="/messages/?label={returns.pk}" class="inbox-view is-active"' in page
    mine = inbox_page(client, staff_user, assignee="mine")
    assert 'class="inbox-view is-active" aria-current="page" data-view="mine"' in mine
    assert "inbox-view is-active" not in inbox_page(
        client, staff_user, label=returns.pk, status="open"
    )
