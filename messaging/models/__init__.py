"""The messaging app's models, by subdomain; every name importable from here."""

from messaging.models.branding import StoreBranding
from messaging.models.conversations import (
    REDACTED,
    SEARCH_CONFIG,
    Attachment,
    Message,
    MessageRedaction,
    Thread,
    attachment_path,
    new_thread_token,
)
from messaging.models.preferences import NotificationPreference
from messaging.models.reading import ReadReceipt, SupportNotification, ThreadReadState
from messaging.models.support import CannedReply, SupportSettings

__all__ = [
    "REDACTED",
    "SEARCH_CONFIG",
    "Attachment",
    "CannedReply",
    "Message",
    "MessageRedaction",
    "NotificationPreference",
    "ReadReceipt",
    "SupportNotification",
    "StoreBranding",
    "SupportSettings",
    "Thread",
    "ThreadReadState",
    "attachment_path",
    "new_thread_token",
]
