"""Email threading: our outbound emails name their thread in their Message-ID, so a
customer's reply (In-Reply-To, References) finds its order again
(messaging.matching)."""

import secrets
from email.utils import parseaddr

from django.conf import settings
from django.core.mail.utils import DNS_NAME

from messaging.models import Message, Thread


def thread_message_id(thread: Thread) -> str:
    """A new Message-ID that carries the thread's token: <t-<token>.<random>@domain>."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or str(DNS_NAME)
    return f"<t-{thread.token}.{secrets.token_hex(6)}@{domain}>"


def reply_headers(thread: Thread, replying_to: Message | None) -> dict:
    """Message-ID, and In-Reply-To/References when answering an email of the
    customer's, so their mail client shows one conversation."""
    headers = {"Message-ID": thread_message_id(thread)}
    if thread.store.support_email:
        headers["Reply-To"] = thread.store.support_email
    if replying_to is not None and replying_to.provider_message_id:
        parent = replying_to.provider_message_id
        earlier = (replying_to.headers or {}).get("References", "").split()
        headers["In-Reply-To"] = parent
        headers["References"] = " ".join([*earlier[-10:], parent])
    return headers


def reply_subject(thread: Thread, replying_to: Message | None) -> str:
    subject = (replying_to.shown_subject if replying_to else "").strip()
    if not subject:
        return f"Your order {thread.order.order_number} from {thread.store.name}"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"
