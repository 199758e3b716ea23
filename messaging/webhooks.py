"""Customer messages from providers: verify, read, record; messaging/appliers.py
applies them (ARCHITECTURE.md, mechanism 3; setup in docs/messaging-channels.md).

A provider that is not configured (its secret setting is empty) is refused: we
never take an unsigned message.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from messaging.inbound import email, sms, whatsapp
from performile import inbound
from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    WebhookRejected,
    acknowledge,
    hex_hmac,
    parse_json_object,
    signature_matches,
    webhook_endpoint,
)

logger = logging.getLogger(__name__)

# Mailgun retries a route's POST for 8 hours, and may re-send the original
# timestamp: anything younger than that (plus a margin) is taken, and a replay
# within the window is caught by its remembered token. Clocks may run ahead a bit.
MAILGUN_MAX_AGE = 8 * 3600 + 15 * 60
MAILGUN_MAX_AHEAD = 5 * 60


class Refused(WebhookRejected):
    """Mailgun's 406: refused for good, do not retry."""

    http_status = 406
    code = "refused"


def _not_configured(name: str, setting: str) -> BadSignature:
    return BadSignature(f"{name} is not configured here ({setting} is empty).")


def _verify_body_hmac(
    request, *, secret: str, header: str, name: str, setting: str
) -> None:
    """`header` holds the body's HMAC-SHA256 keyed with `secret` (hex, after an
    optional "sha256=")."""
    if not secret:
        raise _not_configured(name, setting)
    given = request.headers.get(header, "").removeprefix("sha256=")
    if not signature_matches(hex_hmac(secret, request.body), given):
        raise BadSignature(f"{header} does not match the body.")


# --- Email -----------------------------------------------------------------------


@webhook_endpoint(max_body="INBOUND_EMAIL_MAX_BYTES")  # with its attachments
def mailgun_inbound(request):
    """POST /webhooks/email/mailgun: a Mailgun route's forward (form or multipart)."""
    _verify_mailgun(request.POST)
    keys, incoming = mailgun_email(request)
    return _acknowledge_email(request, "mailgun", keys[0], incoming)


def mailgun_email(request) -> tuple[list[str], email.InboundEmail]:
    """The email in a Mailgun route's POST and the ids that make it unique."""
    try:
        incoming = email.parse_mailgun(request.POST, request.FILES)
    except email.UnusableEmail as exc:
        raise Refused(str(exc)) from exc
    keys = [f"token:{request.POST['token']}"]
    if incoming.message_id:
        keys.append(f"message-id:{incoming.message_id}")
    return keys, incoming


def _verify_mailgun(post) -> str:
    key = settings.MAILGUN_SIGNING_KEY
    if not key:
        raise _not_configured("Mailgun inbound email", "MAILGUN_SIGNING_KEY")
    timestamp, token = post.get("timestamp", ""), post.get("token", "")
    signed = f"{timestamp}{token}".encode()
    if not (timestamp and token) or not signature_matches(
        hex_hmac(key, signed), post.get("signature")
    ):
        raise BadSignature("The Mailgun signature does not match timestamp + token.")
    try:
        age = time.time() - int(timestamp)
    except ValueError as exc:
        raise BadSignature("The Mailgun timestamp is not a number.") from exc
    if age > MAILGUN_MAX_AGE or age < -MAILGUN_MAX_AHEAD:
        raise BadSignature("The Mailgun timestamp is too old or in the future.")
    return token


@webhook_endpoint
def mime_inbound(request):
    """POST /webhooks/email/mime: a raw RFC 5322 message, signed with
    EMAIL_INBOUND_SECRET."""
    _verify_body_hmac(
        request,
        secret=settings.EMAIL_INBOUND_SECRET,
        header="X-Performile-Signature",
        name="Raw MIME inbound email",
        setting="EMAIL_INBOUND_SECRET",
    )
    keys, incoming = mime_email(request)
    return _acknowledge_email(request, "email-mime", keys[0], incoming)


def mime_email(request) -> tuple[list[str], email.InboundEmail]:
    raw = request.body
    try:
        incoming = email.parse_mime(raw)
    except email.UnusableEmail as exc:
        raise MalformedPayload(str(exc)) from exc
    delivery_id = (
        f"message-id:{incoming.message_id}"
        if incoming.message_id
        else f"sha256:{hashlib.sha256(raw).hexdigest()}"
    )
    return [delivery_id], incoming


def _acknowledge_email(request, provider: str, delivery_id: str, incoming):
    return acknowledge(
        request,
        provider=provider,
        delivery_id=delivery_id,
        entity=f"from:{incoming.sender.lower()}",
    )


# --- WhatsApp ----------------------------------------------------------------------


@csrf_exempt
def whatsapp_webhook(request):
    """GET: Meta's verification handshake; POST: messages and statuses."""
    if request.method == "GET":
        return _whatsapp_handshake(request)
    return _whatsapp_events(request)


def _whatsapp_handshake(request):
    expected = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and signature_matches(expected, given)
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), "text/plain")
    return HttpResponse("Verification failed.", "text/plain", status=403)


@webhook_endpoint
def _whatsapp_events(request):
    _verify_body_hmac(
        request,
        secret=settings.WHATSAPP_APP_SECRET,
        header="X-Hub-Signature-256",
        name="WhatsApp",
        setting="WHATSAPP_APP_SECRET",
    )
    messages, statuses = whatsapp_events(request)
    senders = sorted({m.sender for m in messages}) or sorted(
        {s.wamid for s in statuses}
    )
    return acknowledge(
        request,
        provider="whatsapp",
        delivery_id=hashlib.sha256(request.body).hexdigest(),
        entity="whatsapp:" + ",".join(senders),
    )


def whatsapp_events(request) -> tuple[list, list]:
    """(messages, statuses) in a WhatsApp Cloud API webhook."""
    try:
        return whatsapp.parse(parse_json_object(request.body))
    except whatsapp.MalformedEnvelope as exc:
        raise MalformedPayload(str(exc)) from exc


# --- Twilio SMS ----------------------------------------------------------------------


def _twiml() -> HttpResponse:
    return HttpResponse(sms.EMPTY_TWIML, content_type="text/xml")


def _twilio_form(request, parse):
    """The form Twilio posted, its signature checked, read by `parse`."""
    _verify_twilio(request)
    try:
        return parse(request.POST)
    except sms.MalformedSms as exc:
        raise MalformedPayload(str(exc)) from exc


def _verify_twilio(request) -> None:
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        raise _not_configured("Twilio", "TWILIO_AUTH_TOKEN")
    given = request.headers.get("X-Twilio-Signature", "")
    if not any(
        signature_matches(sms.signature(token, url, request.POST), given)
        for url in _public_urls(request)
    ):
        raise BadSignature("X-Twilio-Signature does not match the URL and parameters.")


def _public_urls(request) -> list[str]:
    """The URL Twilio signed: PUBLIC_BASE_URL + the path (behind a proxy that
    rewrites host or scheme), or the URL as this request saw it."""
    urls = [request.build_absolute_uri()]
    base = (settings.PUBLIC_BASE_URL or "").rstrip("/")
    if base:
        urls.insert(0, base + request.get_full_path())
    return list(dict.fromkeys(urls))


@webhook_endpoint
def twilio_sms(request):
    """POST /webhooks/twilio/sms: an inbound SMS/MMS; answered with empty TwiML."""
    incoming = _twilio_form(request, sms.parse_inbound)
    inbound.record(
        request,
        provider="twilio",
        delivery_id=incoming.sid,
        entity=f"from:{incoming.sender}",
    )
    return _twiml()


@webhook_endpoint
def twilio_status(request):
    """POST /webhooks/twilio/status: the StatusCallback of an SMS we sent."""
    status = _twilio_form(request, sms.parse_status)
    if status.status is None:
        return _twiml()
    inbound.record(
        request,
        provider="twilio-status",
        delivery_id=f"{status.sid}:{status.twilio_status}",
        entity=f"sms:{status.sid}",
    )
    return _twiml()
