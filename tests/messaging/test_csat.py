""" "How did we do?": a customer is asked once, an hour after their conversation
is closed or their order delivered, on their own channel and in their language;
they answer by the signed link or by texting a digit; the answers are counted per
store on the support metrics, for the merchant's own team only (docs/csat.md).
Twilio is a local HTTP server speaking its Messages API."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import (
    Message,
    NotificationPreference,
    SatisfactionSurvey,
    SupportNotification,
    SupportSettings,
    Thread,
)
from messaging.notifications import satisfaction as satisfaction_notifications
from messaging.notifications.satisfaction import surveys_send_due
from messaging.services.bulk import conversations_close
from messaging.services.satisfaction import DELAY, LINK_SALT, survey_token
from orders.customers import customer_merge
from orders.services import order_change_status
from orders.state_machine import OrderStatus as S
from orders.tracking import TrackingStatus as T
from performile import outbox
from performile.models import OutboxMessage
from privacy.export import customer_export_content
from privacy.services import customer_erase
from shipments.couriers.base import TrackingEvent, TrackingUpdate
from shipments.services import shipment_apply_update
from tests.factories import CustomerFactory, OrderFactory
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db
Survey = SatisfactionSurvey
NOON = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm
PHONE = "+46701234567"
TWILIO_MESSAGES = "/2010-04-01/Accounts/AC-test/Messages.json"
BASE = "https://performile.example"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def order(store, customer):
    return OrderFactory(
        store=store, customer=customer, order_number="ORD-10042", status=S.SHIPPED
    )


def at(moment):
    return time_machine.travel(moment, tick=False)


def customer_writes(order, body="Is my lamp on its way?"):
    return services.message_send_in_app(
        order=order, actor=order.customer.user, body=body
    )


def closed_by_staff(order, staff_user):
    """The customer wrote, staff answered and closed the conversation at NOON."""
    with at(NOON - dt.timedelta(minutes=30)):
        customer_writes(order)
    with at(NOON - dt.timedelta(minutes=5)):
        services.message_reply(order=order, actor=staff_user, body="It is.")
    with at(NOON):
        services.thread_close(order=order, actor=staff_user)


def sweep(moment) -> int:
    with at(moment):
        return surveys_send_due()


def questions(order):
    return list(
        OutboxMessage.objects.filter(order_id=order.pk, body__contains="/rate/")
    )


def sent_survey(order, **fields) -> Survey:
    """A survey sent at NOON (as the sweep leaves it)."""
    return Survey.objects.create(
        order=order,
        merchant_id=order.merchant_id,
        store_id=order.store_id,
        customer_id=order.customer_id,
        trigger=Survey.Trigger.CLOSED,
        due_at=NOON,
        status=Survey.Status.SENT,
        sent_at=NOON,
        **fields,
    )


def rate_url(survey, **query):
    url = reverse("satisfaction:rate", args=[survey_token(survey)])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- When the question is asked -------------------------------------------------------


def test_a_closed_conversation_is_asked_once_an_hour_later(order, staff_user):
    closed_by_staff(order, staff_user)

    assert sweep(NOON + DELAY - dt.timedelta(minutes=1)) == 0
    assert questions(order) == []
    sweep(NOON + DELAY)
    [email] = questions(order)
    survey = Survey.objects.get(order=order)
    assert (survey.status, survey.trigger) == (Survey.Status.SENT, "closed")
    assert survey.sent_at == NOON + DELAY
    assert survey.channels == ["email"]
    assert email.recipient == order.customer.email
    assert email.subject == "How did we do with your order ORD-10042?"

    # Reopened by the customer and closed again the next day: not asked twice.
    later = NOON + dt.timedelta(days=1)
    with at(later):
        customer_writes(order, "One more thing")
        services.thread_close(order=order, actor=staff_user)
    sweep(later + DELAY)
    assert Survey.objects.filter(order=order).count() == 1
    assert len(questions(order)) == 1


def test_the_email_has_a_link_for_each_rating_into_the_thread(order, staff_user):
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    [email] = questions(order)

    with at(NOON + DELAY):
        outbox.deliver(email.pk)
    [sent] = mail.outbox
    links = [line for line in sent.body.splitlines() if f"{BASE}/rate/" in line]
    assert [line.split(" ", 1)[0] for line in links] == ["5", "4", "3", "2", "1"]
    assert links[0].startswith("5 Excellent: ")
    assert links[0].endswith("?rating=5")
    thread = Thread.objects.get(order=order)
    assert thread.token in sent.extra_headers["Message-ID"]  # a reply lands there


def test_a_conversation_reopened_within_the_hour_is_not_asked(order, staff_user):
    closed_by_staff(order, staff_user)
    with at(NOON + dt.timedelta(minutes=20)):
        customer_writes(order, "Actually, it is broken")

    sweep(NOON + DELAY)

    survey = Survey.objects.get(order=order)
    assert survey.status == Survey.Status.DROPPED
    assert survey.dropped_reason == "conversation reopened"
    assert questions(order) == []


def test_closed_again_later_the_hour_counts_from_the_last_close(order, staff_user):
    closed_by_staff(order, staff_user)
    with at(NOON + dt.timedelta(minutes=20)):
        customer_writes(order, "And the receipt?")
    with at(NOON + dt.timedelta(minutes=40)):
        services.thread_close(order=order, actor=staff_user)

    sweep(NOON + DELAY)
    assert questions(order) == []
    sweep(NOON + dt.timedelta(minutes=40) + DELAY)
    assert len(questions(order)) == 1


def test_a_conversation_the_customer_never_wrote_in_is_not_asked(
    order, staff_user, customer
):
    services.message_reply(order=order, actor=staff_user, body="Your lamp shipped.")
    services.thread_close(order=order, actor=staff_user)
    assert not Survey.objects.exists()


def test_a_delivered_order_is_asked(
    order, staff_user, django_capture_on_commit_callbacks
):
    with at(NOON), django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=S.DELIVERED, actor=staff_user)

    survey = Survey.objects.get(order=order)
    assert (survey.trigger, survey.due_at) == ("delivered", NOON + DELAY)
    sweep(NOON + DELAY)
    assert len(questions(order)) == 1


def test_a_delivery_scan_asks_once(order, django_capture_on_commit_callbacks):
    """The courier's delivered scan delivers the order (the one status service),
    and that asks the customer, once however many scans follow."""
    order.status, order.tracking_number = S.SHIPPED, "SBX1"
    order.save(update_fields=["status", "tracking_number"])
    shipment = ShipmentFactory(order=order, tracking_number="SBX1")

    def scan(code, moment):
        event = TrackingEvent(
            status=T.DELIVERED, raw_code=code, occurred_at=moment, description="Done"
        )
        update = TrackingUpdate(tracking_number="SBX1", events=(event,))
        with at(moment), django_capture_on_commit_callbacks(execute=True):
            shipment_apply_update(shipment=shipment, update=update, source="poll")

    scan("DELIVERED", NOON)
    scan("DELIVERED_AGAIN", NOON + dt.timedelta(hours=2))

    order.refresh_from_db()
    assert order.status == S.DELIVERED
    [survey] = Survey.objects.filter(order=order)
    assert (survey.trigger, survey.due_at) == ("delivered", NOON + DELAY)


def test_bulk_closing_asks_each_customer_once(order, staff_user, store, customer):
    other = OrderFactory(store=store, customer=customer, status=S.SHIPPED)
    with at(NOON):
        customer_writes(order)
        customer_writes(other)
        conversations_close(order_ids=[order.pk, other.pk], actor=staff_user)
        conversations_close(order_ids=[order.pk, other.pk], actor=staff_user)
    assert sorted(Survey.objects.values_list("order_id", flat=True)) == sorted(
        [order.pk, other.pk]
    )


def opted_out(order):
    NotificationPreference.objects.create(customer=order.customer, order_updates=False)


def erased(order):
    type(order.customer).objects.filter(pk=order.customer_id).update(
        erased_at=timezone.now()
    )
    order.customer.refresh_from_db()


def switched_off(order):
    SupportSettings.objects.create(store=order.store, satisfaction_surveys=False)


@pytest.mark.parametrize("refusal", [opted_out, erased, switched_off])
def test_no_question_for_those_who_are_not_to_be_asked(order, staff_user, refusal):
    refusal(order)
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    assert not Survey.objects.exists()
    assert questions(order) == []


def test_a_store_switched_off_before_the_hour_drops_the_question(order, staff_user):
    closed_by_staff(order, staff_user)
    switched_off(order)
    sweep(NOON + DELAY)
    assert Survey.objects.get().status == Survey.Status.DROPPED
    assert questions(order) == []


def test_a_swedish_customer_is_asked_in_swedish(order, staff_user, customer):
    customer.language = "sv"
    customer.save(update_fields=["language"])
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)

    [email] = questions(order)
    assert email.subject == "Hur gick det med din beställning ORD-10042?"
    assert "5 Utmärkt: " in email.body


# --- Answers by the link --------------------------------------------------------------


def test_the_link_shows_the_store_and_records_the_rating(client, order):
    survey = sent_survey(order)
    page = client.get(rate_url(survey, rating=4))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nordic Goods" in text
    assert "How did we do?" in text
    assert 'value="4" required checked' in text
    assert Survey.objects.get().rating is None  # only a POST rates

    with at(NOON + dt.timedelta(hours=2)):
        thanks = client.post(
            rate_url(survey), {"rating": "4", "comment": " Quick and kind "}
        )
    assert thanks.status_code == 200
    assert "Thank you!" in thanks.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.answered_via) == (
        4,
        "Quick and kind",
        "link",
    )
    assert survey.answered_at == NOON + dt.timedelta(hours=2)

    client.post(rate_url(survey), {"rating": "2", "comment": ""})
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (2, "")  # the latest answer counts


def test_a_changed_link_is_a_404_and_rates_nothing(client, order):
    survey = sent_survey(order)
    token = survey_token(survey)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", "a:b:c"):
        url = reverse("satisfaction:rate", args=[bad])
        response = client.post(url, {"rating": "5"})
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert Survey.objects.get().rating is None


def test_an_expired_link_says_so(client, order):
    survey = sent_survey(order)
    with at(NOON):
        url = rate_url(survey)
    with at(NOON + dt.timedelta(days=31)):
        response = client.post(url, {"rating": "5"})
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()
    assert Survey.objects.get().rating is None


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_a_rating_outside_one_to_five_is_a_400(client, order, rating):
    survey = sent_survey(order)
    response = client.post(rate_url(survey), {"rating": rating})
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert Survey.objects.get().rating is None


def test_one_orders_link_cannot_rate_another(client, order, store):
    mine = sent_survey(order)
    other_order = OrderFactory(store=store, customer=order.customer)
    theirs = sent_survey(other_order)
    # Their survey's id with my link's nonce: names no survey.
    forged = signing.dumps([theirs.pk, mine.nonce], salt=LINK_SALT)
    response = client.post(
        reverse("satisfaction:rate", args=[forged]),
        {"rating": "1", "survey": theirs.pk, "order": other_order.pk},
    )
    assert response.status_code == 404
    client.post(rate_url(mine), {"rating": "5", "order": other_order.pk})
    assert dict(Survey.objects.values_list("pk", "rating")) == {
        mine.pk: 5,
        theirs.pk: None,
    }


def test_the_page_speaks_the_customers_language(client, order, customer):
    customer.language = "da"
    customer.save(update_fields=["language"])
    page = client.get(rate_url(sent_survey(order)))
    assert "Hvordan klarede vi os?" in page.content.decode()
    assert '<html lang="da">' in page.content.decode()


# --- Answers by text ------------------------------------------------------------------


@pytest.fixture
def texting(order, customer, store, twilio_server):
    """A customer who chose SMS, and the store's number."""
    customer.phone = PHONE
    customer.save(update_fields=["phone"])
    store.sms_number = "+46700000001"
    store.save(update_fields=["sms_number"])
    NotificationPreference.objects.create(customer=customer, email=False, sms=True)
    return twilio_server


def texts(body, sid, channel=Message.Channel.SMS):
    return services.message_receive(
        channel=channel,
        sender=PHONE,
        recipient="+46700000001",
        body=body,
        provider_message_id=sid,
    )


def test_a_digit_texted_back_is_the_rating_and_asks_for_nothing(
    order, staff_user, texting
):
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    [question] = OutboxMessage.objects.filter(order_id=order.pk, channel="sms")
    texting.expect_oneshot_request(TWILIO_MESSAGES, method="POST").respond_with_json(
        {"sid": "SM900", "status": "queued"}, status=201
    )
    with at(NOON + DELAY):
        outbox.deliver(question.pk)
    [(request, _response)] = texting.log
    body = parse_qs(request.get_data(as_text=True))["Body"][0]
    assert "Reply with a number from 1 (poor) to 5 (excellent)" in body
    assert urlsplit(body.rsplit(" ", 1)[1]).path.startswith("/rate/")

    with at(NOON + dt.timedelta(days=2)):
        message = texts(" 4 ", "SM1")

    survey = Survey.objects.get()
    assert (survey.rating, survey.answered_via) == (4, "sms")
    assert message.thread.order == order  # kept in the thread like any message
    thread = Thread.objects.get(order=order)
    assert thread.status == Thread.Status.CLOSED
    assert thread.awaiting_reply_since is None
    assert not SupportNotification.objects.filter(message=message).exists()


def test_a_digit_long_after_the_question_is_an_ordinary_message(
    order, staff_user, texting
):
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    with at(NOON + dt.timedelta(days=8)):
        message = texts("4", "SM2")
    assert Survey.objects.get().rating is None
    thread = Thread.objects.get(order=order)
    assert thread.is_open
    assert thread.awaiting_reply_since == message.created_at


def test_more_than_a_digit_is_an_ordinary_message(order, staff_user, texting):
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    with at(NOON + dt.timedelta(days=1)):
        texts("4 but the box was broken", "SM3")
    assert Survey.objects.get().rating is None
    assert Thread.objects.get(order=order).awaiting_reply_since is not None


# --- Results ----------------------------------------------------------------------------


@pytest.fixture
def answers(store, second_store, other_store):
    """Nordic Goods: 5, 4, 2 and one unanswered; Nordic Outlet: 3; another
    merchant: two 1s."""

    def survey(in_store, rating):
        customer = CustomerFactory(merchant=in_store.merchant)
        order = OrderFactory(store=in_store, customer=customer)
        answered = {"rating": rating, "answered_at": NOON} if rating else {}
        return sent_survey(order, **answered)

    for rating in (5, 4, 2, None):
        survey(store, rating)
    survey(second_store, 3)
    survey(other_store, 1)
    survey(other_store, 1)


def test_the_metrics_count_csat_per_store(client, staff_user, answers):
    client.force_login(staff_user)
    with at(NOON + dt.timedelta(days=1)):
        page = client.get(reverse("messaging:metrics"))
        api = client.get(reverse("api-message-metrics")).json()

    stores = {row["name"]: row["satisfaction"] for row in api["stores"]}
    assert set(stores) == {"Nordic Goods", "Nordic Outlet"}
    assert stores["Nordic Goods"] == {
        "sent": 4,
        "answered": 3,
        "satisfied": 2,
        "average_rating": 3.67,
        "csat": 2 / 3,
        "response_rate": 0.75,
    }
    assert stores["Nordic Outlet"]["csat"] == 0.0
    text = page.content.decode()
    assert "Customer satisfaction" in text
    assert '67% <span class="muted small">avg 3.7/5 · 3 of 4 answered (75%)' in text


def test_the_metrics_count_the_date_range_only(client, staff_user, answers):
    client.force_login(staff_user)
    with at(NOON + dt.timedelta(days=60)):
        api = client.get(reverse("api-message-metrics")).json()
    assert all(row["satisfaction"] is None for row in api["stores"])


def test_another_merchant_never_sees_these_answers(
    client, other_merchant_staff, answers
):
    client.force_login(other_merchant_staff)
    with at(NOON + dt.timedelta(days=1)):
        api = client.get(reverse("api-message-metrics")).json()
    [row] = api["stores"]
    assert row["name"] == "Other Merchant Store"
    assert (row["satisfaction"]["sent"], row["satisfaction"]["csat"]) == (2, 0.0)


def test_staff_see_the_rating_in_the_conversation(client, staff_user, order):
    sent_survey(order, rating=4, comment="Quick and kind", answered_at=NOON)
    client.force_login(staff_user)
    panel = client.get(reverse("messaging:thread", args=[order.pk])).content.decode()
    assert "Rated 4/5" in panel
    assert "Quick and kind" in panel


def test_a_store_can_switch_the_question_off(client, admin_member, store):
    client.force_login(admin_member)
    url = reverse("workspace:settings:channel", args=[store.pk])
    assert 'name="satisfaction_surveys"' in client.get(url).content.decode()
    client.post(url, {"support_email": "help@nordic.example", "auto_answers": "on"})
    assert not SupportSettings.objects.get(store=store).satisfaction_surveys


def test_a_rating_outside_one_to_five_cannot_be_stored(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        sent_survey(order, rating=6, answered_at=NOON)


def test_an_erased_customers_comments_go_and_their_ratings_stay(order, staff_user):
    rated = sent_survey(
        order, rating=2, comment="Anna here, box broken", answered_at=NOON
    )
    waiting = OrderFactory(store=order.store, customer=order.customer)
    with at(NOON):
        customer_writes(waiting)
        services.thread_close(order=waiting, actor=staff_user)

    erasure = customer_erase(
        customer=order.customer,
        actor=staff_user,
        confirmation=order.customer.customer_number,
    )

    assert erasure.counts["satisfaction_comments"] == 1
    rated.refresh_from_db()
    assert (rated.rating, rated.comment) == (2, "")
    assert Survey.objects.get(order=waiting).status == Survey.Status.DROPPED


def test_a_customers_ratings_are_in_their_data_export(order, staff_user):
    sent_survey(order, rating=5, comment="Lovely", answered_at=NOON)
    content = customer_export_content(order.customer, viewer=staff_user)
    [rating] = content.data["satisfaction_ratings"]
    assert (rating["order"], rating["rating"], rating["comment"]) == (
        "ORD-10042",
        5,
        "Lovely",
    )


def test_a_merged_customers_ratings_move_with_them(order, staff_user, customer):
    rated = sent_survey(order, rating=4, answered_at=NOON)
    into = CustomerFactory(merchant=customer.merchant)
    customer_merge(customer=customer, into=into, actor=staff_user)
    rated.refresh_from_db()
    assert (rated.customer_id, rated.rating) == (into.pk, 4)


def test_a_digit_on_whatsapp_is_a_rating_too(order, staff_user, texting):
    closed_by_staff(order, staff_user)
    sweep(NOON + DELAY)
    with at(NOON + dt.timedelta(hours=3)):
        message = texts("5", "wamid.1", channel=Message.Channel.WHATSAPP)
    survey = Survey.objects.get()
    assert (survey.rating, survey.answered_via) == (5, "whatsapp")
    assert message.thread.order == order


def test_a_survey_that_cannot_be_sent_does_not_hold_up_the_others(
    order, staff_user, store, customer, monkeypatch
):
    """A failure sending one (a bug stood in for here) is logged, and the sweep
    goes on to the next; the failed one stays scheduled for the next sweep."""
    other = OrderFactory(store=store, customer=customer, status=S.SHIPPED)
    closed_by_staff(order, staff_user)
    closed_by_staff(other, staff_user)
    first = Survey.objects.get(order=order)
    real = satisfaction_notifications.survey_send

    def failing(survey):
        if survey.pk == first.pk:
            raise RuntimeError("boom")
        real(survey)

    monkeypatch.setattr(satisfaction_notifications, "survey_send", failing)
    assert sweep(NOON + DELAY) == 2
    assert Survey.objects.get(pk=first.pk).status == Survey.Status.SCHEDULED
    assert Survey.objects.get(order=other).status == Survey.Status.SENT
