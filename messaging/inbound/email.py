"""Inbound email, from Mailgun's route POST or a raw RFC 5322 message (an MTA pipe,
SES), into one InboundEmail (docs/messaging-channels.md)."""

import json
import logging
import re
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from messaging.inbound.bounds import bounded
from messaging.inbound.text import html_to_text, strip_reply
from messaging.services import IncomingAttachment

logger = logging.getLogger(__name__)

THREADING_HEADERS = ("Message-ID", "In-Reply-To", "References")
MESSAGE_ID_LIMIT = 255  # Message.provider_message_id
_MAILGUN_ATTACHMENT = re.compile(r"^attachment-(\d+)$")


class UnusableEmail(ValueError):
    """The email cannot be taken at all (no sender, not an email)."""


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    recipient: str
    subject: str
    body: str
    message_id: str = ""
    headers: dict = field(default_factory=dict)
    attachments: tuple[IncomingAttachment, ...] = ()

    def __post_init__(self):
        bounded(
            self,
            refuse={"sender": 320, "recipient": 320, "message_id": MESSAGE_ID_LIMIT},
            shorten={"subject": 300},
        )
        object.__setattr__(
            self, "attachments", tuple(_storable(a) for a in self.attachments)
        )

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(
            self.headers[name] for name in ("In-Reply-To", "References")
            if self.headers.get(name)
        )  # fmt: skip

    def receive_kwargs(self) -> dict:
        """The arguments of messaging.services.message_receive."""
        return {
            "channel": "email",
            "sender": self.sender,
            "recipient": self.recipient,
            "subject": self.subject,
            "body": self.body,
            "provider_message_id": self.message_id or None,
            "headers": self.headers,
            "references": self.references,
            "attachments": self.attachments,
        }


def _storable(attachment: IncomingAttachment) -> IncomingAttachment:
    """A file name and type that fit their columns (Attachment)."""
    return replace(
        attachment,
        filename=attachment.filename[:255],
        content_type=attachment.content_type[:100],
    )


# --- Mailgun ---------------------------------------------------------------------


def parse_mailgun(post, files) -> InboundEmail:
    """A Mailgun route's POST (`request.POST`, `request.FILES`)."""
    sender = _bare_address(post.get("from", "")) or _bare_address(
        post.get("sender", "")
    )
    if not sender:
        raise UnusableEmail("The email has no sender address ('from' or 'sender').")
    headers = _mailgun_threading_headers(post)
    return InboundEmail(
        sender=sender,
        recipient=post.get("recipient", "").strip(),
        subject=post.get("subject", "").strip(),
        body=_mailgun_body(post),
        message_id=_message_id(headers.get("Message-ID", "")),
        headers=headers,
        attachments=tuple(_mailgun_attachments(files)),
    )


def _mailgun_threading_headers(post) -> dict:
    found = {}
    try:
        pairs = json.loads(post.get("message-headers") or "[]")
        for name, value in pairs:
            found.setdefault(str(name).lower(), str(value))
    except (ValueError, TypeError):
        logger.warning("Mailgun message-headers is not a JSON list of pairs")
    headers = {}
    for name in THREADING_HEADERS:
        value = post.get(name) or post.get(name.replace("ID", "Id"))
        value = value or found.get(name.lower(), "")
        if value.strip():
            headers[name] = " ".join(value.split())
    return headers


def _mailgun_body(post) -> str:
    stripped = (post.get("stripped-text") or "").strip()
    if stripped:
        # Mailgun's own stripping knows English clients' quotes: ours cuts the
        # Swedish, Norwegian and Danish ones too.
        return strip_reply(stripped)
    plain = post.get("body-plain") or ""
    if plain.strip():
        return strip_reply(plain)
    return strip_reply(html_to_text(post.get("body-html") or ""))


def _mailgun_attachments(files) -> list[IncomingAttachment]:
    numbered = []
    for key in files:
        match = _MAILGUN_ATTACHMENT.match(key)
        if match:
            numbered.append((int(match.group(1)), files[key]))
    return [
        IncomingAttachment(
            filename=upload.name or f"attachment-{number}",
            content=upload.read(),
            content_type=upload.content_type or "",
        )
        for number, upload in sorted(numbered, key=lambda pair: pair[0])
    ]


# --- Raw MIME --------------------------------------------------------------------


def parse_mime(raw: bytes) -> InboundEmail:
    """An RFC 5322 message as bytes. The text part is preferred to the HTML one,
    quoted replies and signatures are cut, attachments kept. A body that cannot
    be decoded is kept as best it can be, with the original message attached."""
    if not raw.strip():
        raise UnusableEmail("The body is empty: post the raw RFC 5322 message.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise UnusableEmail("The body is not an email: it has no header lines.")
    sender = _bare_address(_header(message, "From"))
    if not sender:
        raise UnusableEmail("The email has no From address.")
    headers = {
        name: " ".join(_header(message, name).split())
        for name in THREADING_HEADERS
        if _header(message, name).strip()
    }
    attachments = []
    try:
        body = _mime_body(message)
        attachments = _mime_attachments(message)
    except Exception:
        logger.exception("could not read an inbound email's parts; keeping it raw")
        body = _readable_fallback(raw)
        attachments = [
            IncomingAttachment("original.eml", raw, "message/rfc822"),
        ]
    return InboundEmail(
        sender=sender,
        recipient=_recipients(message),
        subject=" ".join(_header(message, "Subject").split()),
        body=body,
        message_id=_message_id(headers.get("Message-ID", "")),
        headers=headers,
        attachments=tuple(attachments),
    )


def _mime_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return strip_reply(text)


def _part_text(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):
        # An unknown or lying charset: the bytes as UTF-8, with what fails replaced.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _mime_attachments(message: EmailMessage) -> list[IncomingAttachment]:
    body_parts = {
        id(part)
        for part in (message.get_body(preferencelist=("plain", "html")),)
        if part is not None
    }
    found = []
    _collect_attachments(message, body_parts, found)
    return found


def _collect_attachments(part, body_parts: set, found: list) -> None:
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if part.get_content_type() == "message/rfc822" and (
        disposition == "attachment" or filename
    ):
        content = part.get_payload(0).as_bytes() if part.get_payload() else b""
        found.append(
            IncomingAttachment(filename or "message.eml", content, "message/rfc822")
        )
        return
    if part.is_multipart():
        for sub in part.iter_parts():
            _collect_attachments(sub, body_parts, found)
        return
    if id(part) in body_parts:
        return
    if disposition == "attachment" or filename:
        found.append(
            IncomingAttachment(
                filename=filename or f"attachment-{len(found) + 1}",
                content=part.get_payload(decode=True) or b"",
                content_type=part.get_content_type(),
            )
        )


def _recipients(message: EmailMessage) -> str:
    """Where the email was delivered: Delivered-To when the MTA added it, else the
    To and Cc addresses."""
    names = ("Delivered-To",) if _header(message, "Delivered-To") else ("To", "Cc")
    values = [_header(message, name) for name in names]
    addresses = [address for _, address in getaddresses(values) if "@" in address]
    return ", ".join(dict.fromkeys(addresses))


def _readable_fallback(raw: bytes) -> str:
    _, _, rest = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    return (rest or raw).decode("utf-8", errors="replace").strip()


# --- Helpers -----------------------------------------------------------------------


def _header(message: EmailMessage, name: str) -> str:
    """A header's value as text; a header the parser cannot make sense of is
    read raw rather than lost."""
    try:
        values = message.get_all(name) or []
        return ", ".join(str(value) for value in values)
    except Exception:
        raw = [
            value for key, value in message.raw_items() if key.lower() == name.lower()
        ]
        return ", ".join(str(value) for value in raw)


def _bare_address(value: str) -> str:
    address = parseaddr(value or "")[1].strip()
    return address if "@" in address else ""


def _message_id(value: str) -> str:
    value = value.strip()
    return value[:MESSAGE_ID_LIMIT] if value else ""
