"""The merchant's canned replies: written, changed and deleted by the team (staff
and admins), each change audited."""

from django.db import transaction
from django.utils import timezone

from messaging.canned import VARIABLES, unknown_variables
from messaging.models import CannedReply
from messaging.services.common import save_team_record
from orders.models import Merchant
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed

TITLE_LIMIT = 80
BODY_LIMIT = 4000


def canned_reply_create(
    *, merchant: Merchant, actor: Actor, title: str, body: str
) -> CannedReply:
    _ensure_team(actor, merchant.pk)
    title, body = _clean(title, body)
    reply = CannedReply(merchant=merchant, title=title, body=body, created_by=actor)
    _save(reply, "canned_reply.created", actor)
    return reply


def canned_reply_update(
    *, reply: CannedReply, actor: Actor, title: str, body: str
) -> CannedReply:
    _ensure_team(actor, reply.merchant_id)
    reply.title, reply.body = _clean(title, body)
    reply.updated_at = timezone.now()
    _save(reply, "canned_reply.updated", actor)
    return reply


def canned_reply_delete(*, reply: CannedReply, actor: Actor) -> None:
    _ensure_team(actor, reply.merchant_id)
    with transaction.atomic():
        audit(
            "canned_reply.deleted",
            actor=actor,
            target=reply,
            merchant_id=reply.merchant_id,
            title=reply.title,
        )
        reply.delete()


def _ensure_team(actor: Actor, merchant_id: int) -> None:
    if not merchant_is_managed_by(actor, merchant_id):
        raise NotAllowed("Only the merchant's staff keep canned replies.")


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = ["Give the reply a title."]
    elif len(title) > TITLE_LIMIT:
        errors["title"] = [f"At most {TITLE_LIMIT} characters."]
    if not body:
        errors["body"] = ["Write the reply."]
    elif len(body) > BODY_LIMIT:
        errors["body"] = [f"At most {BODY_LIMIT} characters."]
    elif unknown := unknown_variables(body):
        known = ", ".join("{{" + name + "}}" for name in VARIABLES)
        errors["body"] = [
            "Unknown: "
            + ", ".join("{{" + name + "}}" for name in unknown)
            + f". The variables are {known}."
        ]
    if errors:
        raise ApplicationError("The canned reply cannot be saved.", fields=errors)
    return title, body


def _save(reply: CannedReply, action: str, actor: Actor) -> None:
    save_team_record(
        reply,
        action,
        actor,
        refusal="The canned reply cannot be saved.",
        taken={"title": ["Another canned reply has this title."]},
    )
