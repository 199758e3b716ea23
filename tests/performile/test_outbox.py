import threading
from datetime import timedelta

import pytest
import requests
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from performile import outbox
from performile.models import OutboxMessage
from tests.conftest import TWILIO_MESSAGES_URL
from tests.racing import rows_locked_elsewhere

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
TWILIO_DOWN = {"code": 20500, "message": "Internal Server Error"}


def queue_email(**overrides) -> OutboxMessage:
    values = {
        "channel": "email",
        "recipient": "eva@example.com",
        "subject": "Your order ORD-1 is on its way",
        "body": "Hello Eva",
        "order_id": 7,
    }
    return outbox.enqueue(**{**values, **overrides})


def queue_sms(**overrides) -> OutboxMessage:
    values = {"channel": "sms", "recipient": "+46701234567", "body": "On its way"}
    return outbox.enqueue(**{**values, **overrides})


def test_enqueue_writes_a_row_and_sends_nothing_before_commit(
    eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue_email()
        assert mail.outbox == []

    message.refresh_from_db()
    assert (message.status, message.attempts, message.order_id) == (Status.QUEUED, 0, 7)
    assert message.next_attempt_at <= timezone.now()
    assert message.headers["Message-ID"].endswith("@localhost>")
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()  # the commit

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_rolled_back_transaction_sends_nothing(
    eager_celery, django_capture_on_commit_callbacks
):
    def change_that_fails():
        with transaction.atomic():
            queue_email()
            raise RuntimeError("the change failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        change_that_fails()

    assert callbacks == []
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_at_commit_leaves_the_message_to_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(message_id):
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(outbox, "_schedule", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email()

    assert outbox.deliver_due() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.headers["Message-ID"]


def test_deliver_sends_an_email_once():
    message = queue_email(headers={"In-Reply-To": "<earlier@example.com>"})

    delivered = outbox.deliver(message.pk)
    again = outbox.deliver(message.pk)

    assert again is None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert (email.to, email.subject, email.body) == (
        ["eva@example.com"],
        "Your order ORD-1 is on its way",
        "Hello Eva",
    )
    assert email.from_email == "Performile <no-reply@localhost>"
    assert email.extra_headers["In-Reply-To"] == "<earlier@example.com>"
    message.refresh_from_db()
    assert message.status == delivered.status == Status.SENT
    assert message.provider_message_id == message.headers["Message-ID"]
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.next_attempt_at is None


def test_deliver_sends_an_sms_through_twilio(twilio):
    twilio.post(TWILIO_MESSAGES_URL, json={"sid": "SM123"}, status=201)
    message = queue_sms()

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "SM123")
    assert len(twilio.calls) == 1


def test_a_retryable_error_keeps_the_message_and_retries_after_a_backoff(twilio):
    twilio.post(TWILIO_MESSAGES_URL, json=TWILIO_DOWN, status=503)
    message = queue_sms()

    with time_machine.travel(timezone.now(), tick=False) as clock:
        outbox.deliver(message.pk)
        message.refresh_from_db()
        assert message.status == Status.QUEUED
        assert message.attempts == 1
        assert message.next_attempt_at == timezone.now() + timedelta(seconds=30)
        assert "Twilio answered 503: Internal Server Error (error 20500)" in (
            message.last_error
        )

        assert outbox.deliver(message.pk) is None  # not due yet
        assert outbox.deliver_due() == 0
        assert len(twilio.calls) == 1

        clock.shift(31)
        assert outbox.deliver_due() == 1
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == timezone.now() + timedelta(minutes=2)

        twilio.replace("POST", TWILIO_MESSAGES_URL, json={"sid": "SM9"}, status=201)
        clock.shift(121)
        assert outbox.deliver_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.SENT,
        3,
        "",
    )
    assert len(twilio.calls) == 3


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 429, "json": {"code": 20429, "message": "Too Many Requests"}},
        {"body": requests.ConnectTimeout("connect timed out")},
        {"body": requests.ReadTimeout("read timed out")},
    ],
    ids=["rate-limited", "connect-timeout", "read-timeout"],
)
def test_rate_limits_and_timeouts_are_retried(twilio, failure):
    twilio.post(TWILIO_MESSAGES_URL, **failure)
    message = queue_sms()

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.next_attempt_at > timezone.now()
    assert message.last_error


def test_a_permanent_error_fails_the_message_with_the_reason(twilio):
    refused = {"code": 21211, "message": "The 'To' number +4670 is not valid."}
    twilio.post(TWILIO_MESSAGES_URL, json=refused, status=400)
    message = queue_sms(recipient="+4670")

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.next_attempt_at is None
    assert message.last_error == (
        "Twilio refused the message (400): The 'To' number +4670 is not valid."
        " (error 21211)"
    )
    assert outbox.deliver(message.pk) is None
    assert outbox.deliver_due() == 0
    assert len(twilio.calls) == 1


def test_after_the_last_attempt_the_message_fails(twilio):
    twilio.post(TWILIO_MESSAGES_URL, json=TWILIO_DOWN, status=500)
    message = queue_sms()

    with time_machine.travel(timezone.now(), tick=False) as clock:
        waits = []
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.deliver_due()
            message.refresh_from_db()
            if message.next_attempt_at:
                waits.append(message.next_attempt_at - timezone.now())
                clock.shift(waits[-1])

    assert waits == list(outbox.BACKOFF)
    assert (message.status, message.attempts) == (Status.FAILED, 6)
    assert message.last_error.endswith("(gave up after 6 attempts)")
    assert len(twilio.calls) == outbox.MAX_ATTEMPTS


def test_sms_without_twilio_settings_fails_with_a_clear_reason(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    message = queue_sms()

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == (
        "SMS is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and"
        " TWILIO_FROM_NUMBER."
    )
    assert not outbox.channel_ready("sms")


def test_a_channel_without_a_sender_fails(monkeypatch):
    monkeypatch.delitem(outbox._senders, "discord")
    message = outbox.enqueue(
        channel="discord", recipient="80351110224678912", body="Hi"
    )

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == "No sender is registered for the discord channel."


def test_enqueue_refuses_an_unknown_channel():
    with pytest.raises(ValueError, match="Unknown outbox channel"):
        outbox.enqueue(channel="pigeon", recipient="x", body="Hi")


def test_deliver_due_sends_only_what_is_due():
    now = timezone.now()

    def row(**fields):
        return OutboxMessage.objects.create(
            channel="email", recipient="eva@example.com", body="x", **fields
        )

    due = row(next_attempt_at=now - timedelta(seconds=1))
    retry_due = row(attempts=1, next_attempt_at=now - timedelta(minutes=1))
    lease_ran_out = row(
        status=Status.SENDING, attempts=1, next_attempt_at=now - timedelta(seconds=1)
    )
    waiting = row(attempts=1, next_attempt_at=now + timedelta(minutes=1))
    being_sent = row(
        status=Status.SENDING, attempts=1, next_attempt_at=now + timedelta(minutes=4)
    )
    sent = row(status=Status.SENT, sent_at=now)
    failed = row(status=Status.FAILED, attempts=6)

    assert outbox.deliver_due() == 3

    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == Status.SENT} == {
        due.pk,
        retry_due.pk,
        lease_ran_out.pk,
        sent.pk,
    }
    assert statuses[waiting.pk] == Status.QUEUED
    assert statuses[being_sent.pk] == Status.SENDING
    assert statuses[failed.pk] == Status.FAILED
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_a_second_deliver_while_the_first_is_sending_does_not_send_again(twilio):
    message = queue_sms()
    second = []

    def twilio_answers(request):
        # While Twilio is "working" on the first send, another worker tries.
        worker = threading.Thread(
            target=_deliver_in_own_connection, args=(message.pk, second)
        )
        worker.start()
        worker.join()
        return 201, {}, '{"sid": "SM1"}'

    twilio.add_callback("POST", TWILIO_MESSAGES_URL, callback=twilio_answers)

    first = outbox.deliver(message.pk)

    assert first.status == Status.SENT
    assert second == [None]
    assert len(twilio.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_locked_by_another_worker_is_skipped(twilio):
    twilio.post(TWILIO_MESSAGES_URL, json={"sid": "SM1"}, status=201)
    message = queue_sms()
    with rows_locked_elsewhere(OutboxMessage.objects.filter(pk=message.pk)):
        assert outbox.deliver(message.pk) is None
    assert len(twilio.calls) == 0
    assert outbox.deliver(message.pk).status == Status.SENT


def _deliver_in_own_connection(message_id, results):
    try:
        results.append(outbox.deliver(message_id))
    finally:
        connection.close()


def test_recording_history_stores_messages_as_sent_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, outbox.recording_history():
        message = outbox.enqueue(channel="email", recipient="a@b.example", body="Hi")
    assert message.status == Status.SENT
    assert message.next_attempt_at is None
    assert callbacks == []
    assert outbox.deliver(message.pk) is None


# --- Digests: messages with one key close together become one ------------------

WINDOW = timedelta(minutes=5)


def digested(body, **extra):
    return outbox.enqueue(
        channel=OutboxMessage.Channel.SMS,
        recipient="+46701234567",
        body=body,
        digest_key="notice:1",
        digest_window=WINDOW,
        **extra,
    )


def test_a_digest_sends_the_first_at_once_and_holds_the_rest_as_one():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = digested("Confirmed")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        second = digested("Shipped")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        third = digested("Out for delivery")

    assert first.next_attempt_at == start
    assert third.pk == second.pk
    second.refresh_from_db()
    assert (second.body, second.next_attempt_at) == ("Out for delivery", start + WINDOW)
    assert OutboxMessage.objects.count() == 2


def test_the_newest_in_a_digest_brings_its_template_or_none():
    """A held message takes the newest one's template as well as its text: a
    template queued earlier is dropped when the newest is plain text."""
    start = timezone.now()
    shipped = {"name": "order_update", "language": "sv", "parameters": ["Shipped"]}
    with time_machine.travel(start, tick=False):
        digested("Confirmed")
        held = digested("Shipped", template=shipped)
        assert OutboxMessage.objects.get(pk=held.pk).template == shipped
        digested("Delivered")

    held.refresh_from_db()
    assert (held.body, held.template) == ("Delivered", None)


def test_the_newest_in_a_digest_brings_its_files_or_none():
    """A held message never sends one message's text with another's files."""
    label = {"name": "messages/sent/x/label.pdf", "filename": "label.pdf"}
    with time_machine.travel(timezone.now(), tick=False):
        digested("Confirmed")
        held = digested("Label attached", attachments=[label])
        assert OutboxMessage.objects.get(pk=held.pk).attachments == [label]
        digested("Delivered")

    held.refresh_from_db()
    assert (held.body, held.attachments) == ("Delivered", [])


def test_a_held_message_a_sender_took_is_no_longer_replaced():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        digested("Confirmed")
        held = digested("Shipped")
    with time_machine.travel(start + WINDOW, tick=False):
        outbox._claim(held.pk)  # a sender took it
        later = digested("Delivered")

    assert later.pk != held.pk
    held.refresh_from_db()
    assert held.body == "Shipped"


def test_hold_moves_a_due_time_it_may_not_go_at():
    morning = timezone.now() + timedelta(hours=9)

    message = digested("Shipped", hold=lambda at: morning)

    assert message.next_attempt_at == morning


def test_other_keys_and_messages_without_one_are_never_merged():
    digested("Confirmed")
    other = outbox.enqueue(
        channel=OutboxMessage.Channel.SMS,
        recipient="+46701234567",
        body="Reply",
    )

    assert other.digest_key == ""
    assert OutboxMessage.objects.count() == 2
