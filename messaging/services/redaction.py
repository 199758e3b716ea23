"""Messages withdrawn from every display (a customer's erasure, docs/privacy.md).

The message rows stay exactly as written: they are immutable (a database trigger).
A `MessageRedaction` beside each one is what the displays, the API, the exports
and search honour; the attachments' files are deleted from storage once the
transaction commits, their rows kept (blanked) so the message's history holds.
"""

from django.db.models import QuerySet

from messaging.models import Attachment, Message, MessageRedaction
from performile.actors import Actor
from performile.transactions import delete_files_after_commit

REMOVED_FILENAME = "removed"


def messages_redact(*, messages: QuerySet[Message], actor: Actor, reason: str) -> dict:
    """Redact those of `messages` not redacted yet, in the caller's transaction;
    the counts of messages and attachment files redacted. The caller checks who
    may, and audits."""
    ids = list(
        messages.filter(redaction__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return {"messages": 0, "attachments": 0}
    user = actor if getattr(actor, "is_authenticated", False) else None
    # ignore_conflicts: two erasures at once redact a message once.
    MessageRedaction.objects.bulk_create(
        [
            MessageRedaction(message_id=pk, redacted_by=user, reason=reason[:200])
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    files = attachments_blank(message_ids=ids)
    return {"messages": len(ids), "attachments": len(files)}


def attachments_blank(*, message_ids: list[int]) -> list[str]:
    """Blank the messages' attachment rows (kept: the history says a file came)
    and delete their files after commit, so a rollback loses nothing."""
    attachments = Attachment.objects.filter(message_id__in=message_ids).exclude(file="")
    found = list(attachments.values_list("pk", "file"))
    if not found:
        return []
    Attachment.objects.filter(pk__in=[pk for pk, _ in found]).update(
        file="", filename=REMOVED_FILENAME, size=0
    )
    names = [name for _, name in found]
    delete_files_after_commit(Attachment._meta.get_field("file").storage, names)
    return names
