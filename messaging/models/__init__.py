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
from messaging.models.labels import Label
from messaging.models.preferences import NotificationPreference
from messaging.models.reading import ReadReceipt, SupportNotification, ThreadReadState
from messaging.models.satisfaction import SatisfactionSurvey
from messaging.models.support import CannedReply, SupportSettings
from messaging.models.whatsapp import WhatsAppTemplate

__all__ = [
    "REDACTED",
    "SEARCH_CONFIG",
    "Attachment",
    "CannedReply",
    "Label",
    "Message",
    "MessageRedaction",
    "NotificationPreference",
    "ReadReceipt",
    "SatisfactionSurvey",
    "SupportNotification",
    "StoreBranding",
    "SupportSettings",
    "Thread",
    "ThreadReadState",
    "WhatsAppTemplate",
    "attachment_path",
    "new_thread_token",
]
