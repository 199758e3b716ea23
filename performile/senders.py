"""The outbox's built-in senders: email through Django's mail backend, SMS through
Twilio's REST API. Each sends one `OutboxMessage`, returns the provider's id for it,
or raises `SendError` saying whether trying again may help."""

import logging
import smtplib

import requests
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from performile.models import OutboxMessage
from performile.outbox import SendError

logger = logging.getLogger(__name__)

# (connect, read) seconds: well inside outbox_deliver's time limit.
TWILIO_TIMEOUT = (5, 20)


def send_email(message: OutboxMessage) -> str:
    """The text, and the HTML beside it when the message has one. A `From` in the
    row's headers (a store's name before the platform's address) is the header
    the customer sees; the envelope sender stays DEFAULT_FROM_EMAIL, so SPF and
    DKIM hold."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=message.headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"], _stored(attachment), attachment["content_type"]
        )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reason in exc.recipients.values()]
        raise SendError(
            f"The mail server refused {message.recipient}: {exc.recipients}",
            retryable=any(code < 500 for code in codes),
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"The mail server answered {exc.smtp_code}: {exc.smtp_error!r}",
            retryable=exc.smtp_code < 500,
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(
            f"The mail server is unavailable: {exc}", retryable=True
        ) from exc
    return message.headers.get("Message-ID", "")


def _stored(attachment: dict) -> bytes:
    """An attachment's bytes from the default storage; gone, it never will be."""
    try:
        with default_storage.open(attachment["name"], "rb") as file:
            return file.read()
    except FileNotFoundError as exc:
        raise SendError(
            f"The attachment {attachment['filename']} is missing from storage"
            f" ({attachment['name']}): the email was not sent.",
            retryable=False,
        ) from exc


def sms_ready() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and settings.TWILIO_FROM_NUMBER
    )


def send_sms(message: OutboxMessage) -> str:
    """POST the text to Twilio's Messages resource; its message sid comes back."""
    if not sms_ready():
        raise SendError(
            "SMS is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and"
            " TWILIO_FROM_NUMBER.",
            retryable=False,
        )
    account_sid = settings.TWILIO_ACCOUNT_SID
    url = (
        f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        "/Messages.json"
    )
    try:
        response = requests.post(
            url,
            data={
                "To": message.recipient,
                "From": settings.TWILIO_FROM_NUMBER,
                "Body": message.body,
                **_status_callback(),
            },
            auth=(account_sid, settings.TWILIO_AUTH_TOKEN),
            timeout=TWILIO_TIMEOUT,
        )
    except requests.RequestException as exc:
        # A read timeout is ambiguous (Twilio may have taken the message) and this
        # endpoint has no idempotency key: a possible duplicate text beats a lost one.
        raise SendError(f"Twilio could not be reached: {exc}", retryable=True) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise SendError(
            f"Twilio answered {response.status_code}: {_twilio_error(response)}",
            retryable=True,
        )
    if response.status_code >= 400:
        raise SendError(
            f"Twilio refused the message ({response.status_code}):"
            f" {_twilio_error(response)}",
            retryable=False,
        )
    try:
        return str(response.json()["sid"])
    except (ValueError, KeyError, TypeError):
        # Accepted all the same: sending it again would text the customer twice.
        logger.warning("Twilio accepted message %s without a sid", message.pk)
        return ""


def _status_callback() -> dict:
    """Twilio reports delivery to /webhooks/twilio/status; only a public https
    origin is worth giving it (docs/messaging-channels.md)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    if not base.startswith("https://"):
        return {}
    return {"StatusCallback": base + reverse("webhook-twilio-status")}


def _twilio_error(response: requests.Response) -> str:
    """Twilio's error body: {"code": 21211, "message": "...", "more_info": "..."}."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason
    if not isinstance(body, dict):
        return str(body)[:300]
    text = str(body.get("message") or response.reason)
    return f"{text} (error {body['code']})" if body.get("code") else text
