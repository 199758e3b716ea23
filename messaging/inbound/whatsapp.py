"""WhatsApp Cloud API webhook payloads: customer messages and the delivery status
of ours (docs/messaging-channels.md). Media is described, never downloaded."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from messaging.inbound.bounds import bounded

OBJECT = "whatsapp_business_account"
STATUSES = {"sent", "delivered", "read", "failed"}
_MEDIA_TYPES = {"image", "video", "audio", "document", "sticker"}


class MalformedEnvelope(ValueError):
    pass


@dataclass(frozen=True)
class WhatsAppMessage:
    wamid: str
    sender: str  # E.164: WhatsApp's wa_id with its +
    phone_number_id: str
    body: str
    received_at: datetime | None = None
    headers: dict = field(default_factory=dict)

    def __post_init__(self):
        bounded(self, refuse={"wamid": 255, "sender": 320, "phone_number_id": 320})

    def receive_kwargs(self) -> dict:
        """The arguments of messaging.services.message_receive."""
        return {
            "channel": "whatsapp",
            "sender": self.sender,
            "recipient": self.phone_number_id,
            "body": self.body,
            "provider_message_id": self.wamid,
            "headers": self.headers,
            "received_at": self.received_at,
        }


@dataclass(frozen=True)
class WhatsAppStatus:
    wamid: str
    status: str
    error: str = ""

    def __post_init__(self):
        bounded(self, refuse={})


def parse(payload: dict) -> tuple[list[WhatsAppMessage], list[WhatsAppStatus]]:
    """The messages and statuses of one webhook POST, in the order given.
    Statuses we do not track (e.g. "deleted") are left out."""
    if payload.get("object") != OBJECT:
        raise MalformedEnvelope(f"'object' must be '{OBJECT}'.")
    messages, statuses = [], []
    for i, entry in enumerate(_list(payload, "entry", "")):
        for j, change in enumerate(_list(entry, "changes", f"entry[{i}].")):
            where = f"entry[{i}].changes[{j}].value"
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise MalformedEnvelope(f"'{where}' must be an object.")
            messages += _messages(value, where)
            statuses += _statuses(value, where)
    return messages, statuses


def _messages(value: dict, where: str) -> list[WhatsAppMessage]:
    items = _list(value, "messages", f"{where}.")
    if not items:
        return []
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    phone_number_id = str(metadata.get("phone_number_id") or "")
    if not phone_number_id:
        raise MalformedEnvelope(f"'{where}.metadata.phone_number_id' is required.")
    names = _profile_names(value)
    parsed = []
    for k, item in enumerate(items):
        path = f"{where}.messages[{k}]"
        wamid, sender = _required(item, "id", path), _required(item, "from", path)
        headers = {"whatsapp_type": item.get("type", ""), **_media(item)}
        if names.get(sender):
            headers["profile_name"] = names[sender]
        if isinstance(item.get("context"), dict) and item["context"].get("id"):
            headers["in_reply_to"] = item["context"]["id"]
        parsed.append(
            WhatsAppMessage(
                wamid=wamid,
                sender=f"+{sender}" if sender.isdigit() else sender,
                phone_number_id=phone_number_id,
                body=message_text(item),
                received_at=_sent_at(item.get("timestamp")),
                headers=headers,
            )
        )
    return parsed


def _statuses(value: dict, where: str) -> list[WhatsAppStatus]:
    parsed = []
    for k, item in enumerate(_list(value, "statuses", f"{where}.")):
        path = f"{where}.statuses[{k}]"
        wamid, status = _required(item, "id", path), _required(item, "status", path)
        if status in STATUSES:
            parsed.append(WhatsAppStatus(wamid, status, _error(item)))
    return parsed


def message_text(item: dict) -> str:
    """What staff read for a message of any type: the text, or a description of
    what was sent ("[image] caption")."""
    kind = item.get("type") or "unknown"
    content = item.get(kind) if isinstance(item.get(kind), dict) else {}
    if kind == "text":
        return str(content.get("body", ""))
    if kind in _MEDIA_TYPES:
        label = f"[{kind}: {content['filename']}]" if content.get("filename") else ""
        caption = str(content.get("caption") or "")
        return f"{label or f'[{kind}]'} {caption}".strip()
    if kind == "location":
        place = ", ".join(
            str(content[key]) for key in ("name", "address") if content.get(key)
        )
        where = f"{content.get('latitude')}, {content.get('longitude')}"
        return f"[location: {where}{f' ({place})' if place else ''}]"
    if kind == "button":
        return str(content.get("text") or "[button]")
    if kind == "interactive":
        reply = content.get("button_reply") or content.get("list_reply") or {}
        return str(reply.get("title") or "[interactive reply]")
    if kind == "reaction":
        return f"[reaction: {content.get('emoji') or 'removed'}]"
    if kind == "contacts":
        contacts = item.get("contacts") or []
        names = [str((c.get("name") or {}).get("formatted_name", "")) for c in contacts]
        return f"[contacts: {', '.join(n for n in names if n) or 'shared'}]"
    errors = item.get("errors") or []
    detail = (
        errors[0].get("title", "") if errors and isinstance(errors[0], dict) else ""
    )
    return f"[{kind}{f': {detail}' if detail else ''}]"


def _media(item: dict) -> dict:
    kind = item.get("type")
    content = item.get(kind) if isinstance(item.get(kind), dict) else {}
    if kind not in _MEDIA_TYPES or not content.get("id"):
        return {}
    return {"media_id": content["id"], "mime_type": content.get("mime_type", "")}


def _profile_names(value: dict) -> dict:
    names = {}
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict) and contact.get("wa_id"):
            names[contact["wa_id"]] = (contact.get("profile") or {}).get("name", "")
    return names


def _error(item: dict) -> str:
    errors = item.get("errors") or []
    if not errors or not isinstance(errors[0], dict):
        return ""
    first = errors[0]
    detail = (first.get("error_data") or {}).get("details") or first.get("message")
    parts = [str(first.get("code", "")), first.get("title", ""), detail or ""]
    return " ".join(str(part) for part in parts if part)


def _sent_at(timestamp) -> datetime | None:
    """When the customer sent it; never later than now (a clock ahead of ours)."""
    try:
        sent = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return min(sent, timezone.now())


def _list(container, key: str, prefix: str) -> list:
    value = container.get(key, []) if isinstance(container, dict) else None
    if not isinstance(value, list):
        raise MalformedEnvelope(f"'{prefix}{key}' must be a list.")
    return value


def _required(item, key: str, path: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not value or not isinstance(value, str | int):
        raise MalformedEnvelope(f"'{path}.{key}' is required.")
    return str(value)
