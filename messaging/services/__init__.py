"""Every write to messages and threads, one function per use case, in a
transaction, with the actor. Messages are only ever added (and an unmatched one
linked to its order once); nothing is edited or deleted.

By subdomain: `threads` (an order's conversation and its bookkeeping), `inbound`
(customer messages from email, WhatsApp and SMS), `replies` (what is written in
the app, and the reply's way out through the outbox), `links` (an unmatched
message put in its thread), `general` (a customer's question about no order, from
the portal), `preferences` (how a customer hears about their orders),
`auto_answers` ("where is my order?" answered at once), `support` (a store's
support settings), `branding` (how a store's emails look), `canned` (the team's canned
replies), `organising` (labels and snooze), `whatsapp_templates` (the merchant's
WhatsApp template messages), `reading`
(read state), `staff_notifications` and `redaction` (messages withdrawn from every
display at a customer's erasure: the rows stay, a redaction record beside them).
"""

from messaging.services.branding import store_branding_update
from messaging.services.canned import (
    canned_reply_create,
    canned_reply_delete,
    canned_reply_update,
)
from messaging.services.common import BODY_LIMIT
from messaging.services.general import message_send_general
from messaging.services.inbound import IncomingAttachment, message_receive
from messaging.services.links import message_link
from messaging.services.organising import (
    label_create,
    label_delete,
    label_update,
    thread_set_labels,
    thread_snooze,
)
from messaging.services.preferences import notification_preferences_update
from messaging.services.reading import messages_mark_read
from messaging.services.redaction import messages_redact
from messaging.services.replies import (
    message_add_note,
    message_add_system,
    message_post,
    message_reply,
    message_send_in_app,
)
from messaging.services.support import support_settings_update
from messaging.services.threads import (
    thread_close,
    thread_get_or_create,
    thread_reopen,
)
from messaging.services.whatsapp_templates import (
    whatsapp_template_create,
    whatsapp_template_delete,
    whatsapp_template_update,
)

__all__ = [
    "BODY_LIMIT",
    "IncomingAttachment",
    "canned_reply_create",
    "canned_reply_delete",
    "canned_reply_update",
    "label_create",
    "label_delete",
    "label_update",
    "message_add_note",
    "message_add_system",
    "message_link",
    "message_post",
    "message_receive",
    "message_reply",
    "message_send_general",
    "message_send_in_app",
    "messages_mark_read",
    "messages_redact",
    "notification_preferences_update",
    "store_branding_update",
    "support_settings_update",
    "thread_close",
    "thread_get_or_create",
    "thread_reopen",
    "thread_set_labels",
    "thread_snooze",
    "whatsapp_template_create",
    "whatsapp_template_delete",
    "whatsapp_template_update",
]
