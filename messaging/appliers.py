"""Apply recorded customer messages and delivery statuses (performile.inbound)."""

from messaging import webhooks
from messaging.inbound import sms
from messaging.services import message_receive
from performile import outbox
from performile.inbound import applied, applier, duplicate, first_time


def _message(delivery, provider, keys, incoming):
    if not first_time(delivery, provider, keys):
        return duplicate()
    message = message_receive(**incoming.receive_kwargs())
    return applied(message_id=message.pk, matched=message.thread_id is not None)


@applier("mailgun")
def apply_mailgun(delivery, request):
    return _message(delivery, "mailgun", *webhooks.mailgun_email(request))


@applier("email-mime")
def apply_mime(delivery, request):
    return _message(delivery, "email-mime", *webhooks.mime_email(request))


@applier("twilio")
def apply_sms(delivery, request):
    incoming = sms.parse_inbound(request.POST)
    return _message(delivery, "twilio", [incoming.sid], incoming)


@applier("twilio-status")
def apply_sms_status(delivery, request):
    status = sms.parse_status(request.POST)
    if not first_time(
        delivery, "twilio", [f"status:{status.sid}:{status.twilio_status}"]
    ):
        return duplicate()
    outbox.record_status(
        channel="sms",
        provider_message_id=status.sid,
        status=status.status,
        error=status.error,
    )
    return applied()


@applier("whatsapp")
def apply_whatsapp(delivery, request):
    """Each message and status of the batch once: a retried batch adds only what
    is new."""
    messages, statuses = webhooks.whatsapp_events(request)
    counts = {"messages": 0, "statuses": 0, "duplicates": 0}
    for incoming in messages:
        if first_time(delivery, "whatsapp", [incoming.wamid]):
            message_receive(**incoming.receive_kwargs())
            counts["messages"] += 1
        else:
            counts["duplicates"] += 1
    for status in statuses:
        if first_time(delivery, "whatsapp", [f"status:{status.wamid}:{status.status}"]):
            outbox.record_status(
                channel="whatsapp",
                provider_message_id=status.wamid,
                status=status.status,
                error=status.error,
            )
            counts["statuses"] += 1
        else:
            counts["duplicates"] += 1
    if not counts["messages"] and not counts["statuses"]:
        return duplicate(**counts)
    return applied(**counts)
