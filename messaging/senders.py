"""Outbound senders of the messaging channels (registered with performile.outbox).

WhatsApp goes out through Meta's WhatsApp Cloud API (Graph API): POST
`{WHATSAPP_API_BASE}/{phone_number_id}/messages` with a bearer token; the answer
carries the message's wamid, which the status callbacks name later. A row with a
`template` (messaging.whatsapp_templates) goes as that template message, else as
text.
"""

import logging

import requests
from django.conf import settings

from orders.models import Order, Store
from performile import outbox
from performile.models import OutboxMessage
from performile.outbox import SendError

logger = logging.getLogger(__name__)

# (connect, read) seconds: well inside outbox_deliver's time limit.
WHATSAPP_TIMEOUT = (5, 20)
# Graph API error codes that mean "too much, too fast": try again later.
# 4 app rate limit, 80007 WABA rate limit, 130429 throughput, 131048 spam rate
# limit, 131056 too many messages to one recipient.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
# More than 24 h since the customer's last message: only a template may go out.
REENGAGEMENT_CODE = 131047
# A template Meta will not send as asked: fix it in WhatsApp Manager or in our
# settings; sending again will not help.
TEMPLATE_ERRORS = {
    132000: "its number of parameters does not match the approved template",
    132001: "no template of that name is approved in that language",
    132005: "its text is too long once the parameters are filled in",
    132007: "its text breaks WhatsApp's policies",
    132012: "its parameters are not in the format the template was approved with",
    132015: "the template is paused for low quality",
    132016: "the template is disabled for low quality",
    132018: "a parameter has characters WhatsApp does not take",
}


def whatsapp_ready() -> bool:
    """An access token, and a number to send from (the platform's or a store's)."""
    if not settings.WHATSAPP_ACCESS_TOKEN:
        return False
    return bool(settings.WHATSAPP_PHONE_NUMBER_ID) or (
        Store.objects.exclude(whatsapp_phone_number_id="").exists()
    )


def send_whatsapp(message: OutboxMessage) -> str:
    """Send a text message; returns its wamid or raises SendError."""
    if not settings.WHATSAPP_ACCESS_TOKEN:
        raise SendError(
            "WhatsApp is not configured: set WHATSAPP_ACCESS_TOKEN.", retryable=False
        )
    phone_number_id = whatsapp_phone_number_id(order_id=message.order_id)
    if not phone_number_id:
        raise SendError(
            "WhatsApp has no number to send from: set WHATSAPP_PHONE_NUMBER_ID or"
            " the store's WhatsApp phone number id.",
            retryable=False,
        )
    url = f"{settings.WHATSAPP_API_BASE.rstrip('/')}/{phone_number_id}/messages"
    try:
        response = requests.post(
            url,
            json=_payload(message),
            headers={"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"},
            timeout=WHATSAPP_TIMEOUT,
        )
    except requests.RequestException as exc:
        # Ambiguous like Twilio's timeout: a possible duplicate beats a lost message.
        raise SendError(
            f"WhatsApp could not be reached: {exc}", retryable=True
        ) from exc
    if response.status_code >= 400:
        raise _whatsapp_error(response, message)
    return _wamid(response, message)


def whatsapp_phone_number_id(*, order_id: int | None) -> str:
    """The order's store's own number when it has one, else the platform's."""
    if order_id:
        store_number = (
            Order.objects.filter(pk=order_id)
            .values_list("store__whatsapp_phone_number_id", flat=True)
            .first()
        )
        if store_number:
            return store_number
    return settings.WHATSAPP_PHONE_NUMBER_ID


def _payload(message: OutboxMessage) -> dict:
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        # The Cloud API wants the number in international form without the "+".
        "to": message.recipient.lstrip("+"),
    }
    template = message.template
    if not template:
        return {
            **payload,
            "type": "text",
            "text": {"body": message.body, "preview_url": False},
        }
    sent = {"name": template["name"], "language": {"code": template["language"]}}
    if parameters := template.get("parameters"):
        sent["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": text} for text in parameters],
            }
        ]
    return {**payload, "type": "template", "template": sent}


def _wamid(response: requests.Response, message: OutboxMessage) -> str:
    try:
        return str(response.json()["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        # Accepted all the same: sending it again would message the customer twice.
        logger.warning("WhatsApp accepted message %s without a wamid", message.pk)
        return ""


def _whatsapp_error(response: requests.Response, message: OutboxMessage) -> SendError:
    """Graph API errors: {"error": {"message", "type", "code", "error_subcode",
    "fbtrace_id"}}."""
    error = _error_body(response)
    code = error.get("code")
    text = str(error.get("message") or response.reason or "no details")
    if code is not None:
        text = f"{text} (error {code}"
        text += f"/{error['error_subcode']})" if error.get("error_subcode") else ")"
    if error.get("fbtrace_id"):
        text = f"{text} [fbtrace {error['fbtrace_id']}]"
    if code in TEMPLATE_ERRORS and message.template:
        name, language = message.template["name"], message.template["language"]
        return SendError(
            f"WhatsApp refused the template “{name}” ({language}):"
            f" {TEMPLATE_ERRORS[code]}. Check it in WhatsApp Manager and in"
            f" WhatsApp templates. {text}",
            retryable=False,
        )
    if code == REENGAGEMENT_CODE:
        return SendError(
            "WhatsApp refused the message: more than 24 hours have passed since the"
            " customer's last WhatsApp message, so only an approved template may go"
            f" out. Answer by email or SMS instead. {text}",
            retryable=False,
        )
    status = response.status_code
    if status == 429 or status >= 500 or code in RATE_LIMIT_CODES:
        return SendError(f"WhatsApp answered {status}: {text}", retryable=True)
    return SendError(
        f"WhatsApp refused the message ({status}): {text}", retryable=False
    )


def _error_body(response: requests.Response) -> dict:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {"message": response.text[:300]}
    return error if isinstance(error, dict) else {}


outbox.register_sender(
    OutboxMessage.Channel.WHATSAPP, send_whatsapp, ready=whatsapp_ready
)
