"""Twilio's SMS webhooks: an inbound text, and the status callback of one of ours
(docs/messaging-channels.md). MMS media is recorded by URL, never downloaded."""

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from messaging.inbound.bounds import bounded

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Twilio's MessageStatus -> our delivery status (performile.outbox.record_status);
# the in-between ones (accepted, queued, sending, ...) say nothing new.
STATUS_MAP = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


class MalformedSms(ValueError):
    pass


@dataclass(frozen=True)
class InboundSms:
    sid: str
    sender: str
    recipient: str
    body: str
    headers: dict = field(default_factory=dict)

    def __post_init__(self):
        bounded(self, refuse={"sid": 255, "sender": 320, "recipient": 320})

    def receive_kwargs(self) -> dict:
        """The arguments of messaging.services.message_receive."""
        return {
            "channel": "sms",
            "sender": self.sender,
            "recipient": self.recipient,
            "body": self.body,
            "provider_message_id": self.sid,
            "headers": self.headers,
        }


@dataclass(frozen=True)
class SmsStatus:
    sid: str
    twilio_status: str
    status: str | None  # ours, or None when it is not one we record
    error: str = ""

    def __post_init__(self):
        bounded(self, refuse={})


def signature(auth_token: str, url: str, params) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each POST parameter
    name and value, sorted by name)). `params` is a QueryDict or a dict."""
    signed = url
    for name in sorted(set(params.keys())):
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in sorted(set(values)):
            signed += f"{name}{value}"
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def parse_inbound(post) -> InboundSms:
    sid, sender = _required(post, "MessageSid"), _required(post, "From")
    media = _media(post)
    lines = [post.get("Body", "").strip()]
    lines += [f"[media {m['content_type'] or 'file'}] {m['url']}" for m in media]
    headers = {"media": media} if media else {}
    return InboundSms(
        sid=sid,
        sender=sender,
        recipient=post.get("To", "").strip(),
        body="\n".join(line for line in lines if line),
        headers=headers,
    )


def parse_status(post) -> SmsStatus:
    sid, twilio_status = _required(post, "MessageSid"), _required(post, "MessageStatus")
    code = post.get("ErrorCode", "").strip()
    error = f"Twilio error {code}" if code else ""
    if not error and twilio_status in ("undelivered", "failed", "canceled"):
        error = f"Twilio reported the message {twilio_status}."
    return SmsStatus(sid, twilio_status, STATUS_MAP.get(twilio_status), error)


def _media(post) -> list[dict]:
    try:
        count = int(post.get("NumMedia") or 0)
    except ValueError as exc:
        raise MalformedSms("'NumMedia' must be a whole number.") from exc
    media = []
    for n in range(min(count, 10)):  # Twilio carries at most 10 media per message
        url = post.get(f"MediaUrl{n}", "").strip()
        if url:
            media.append(
                {"url": url, "content_type": post.get(f"MediaContentType{n}", "")}
            )
    return media


def _required(post, name: str) -> str:
    value = (post.get(name) or "").strip()
    if not value:
        raise MalformedSms(f"'{name}' is required.")
    return value
