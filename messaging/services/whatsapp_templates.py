"""The merchant's WhatsApp templates: registered, changed and deleted by its
admins, each change audited (messaging.whatsapp_templates says how they are
used)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.models import WhatsAppTemplate
from messaging.whatsapp_templates import META_LANGUAGES, template_problems
from orders.models import Merchant
from orders.selectors import merchant_is_administered_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed

BODY_LIMIT = 1024  # Meta's limit for a template's body


def whatsapp_template_create(
    *, merchant: Merchant, actor: Actor, values: dict
) -> WhatsAppTemplate:
    _ensure_admin(actor, merchant.pk)
    template = WhatsAppTemplate(merchant=merchant, created_by=actor)
    _apply(template, values)
    _save(template, "whatsapp_template.created", actor)
    return template


def whatsapp_template_update(
    *, template: WhatsAppTemplate, actor: Actor, values: dict
) -> WhatsAppTemplate:
    _ensure_admin(actor, template.merchant_id)
    _apply(template, values)
    template.updated_at = timezone.now()
    _save(template, "whatsapp_template.updated", actor)
    return template


def whatsapp_template_delete(*, template: WhatsAppTemplate, actor: Actor) -> None:
    _ensure_admin(actor, template.merchant_id)
    with transaction.atomic():
        audit(
            "whatsapp_template.deleted",
            actor=actor,
            target=template,
            merchant_id=template.merchant_id,
            name=template.name,
            purpose=template.purpose,
            language=template.language_code,
        )
        template.delete()


def _ensure_admin(actor: Actor, merchant_id: int) -> None:
    if not merchant_is_administered_by(actor, merchant_id):
        raise NotAllowed("Only the merchant's admins keep its WhatsApp templates.")


def _apply(template: WhatsAppTemplate, values: dict) -> None:
    """Check `values` (purpose, name, language_code, body, parameters, active)
    and set them on the template."""
    purpose = values.get("purpose", "")
    name = (values.get("name") or "").strip()
    body = (values.get("body") or "").strip()
    language_code = values.get("language_code", "")
    parameters = [p.strip() for p in values.get("parameters") or [] if p.strip()]
    errors = template_problems(
        purpose=purpose, name=name, body=body, parameters=parameters
    )
    if purpose not in WhatsAppTemplate.Purpose.values:
        errors["purpose"] = ["Choose what the template is used for."]
    if language_code not in META_LANGUAGES:
        errors["language_code"] = ["Choose the language it was approved in."]
    if not body:
        errors["body"] = ["Paste the template's body as approved."]
    elif len(body) > BODY_LIMIT:
        errors["body"] = [f"At most {BODY_LIMIT} characters."]
    if errors:
        raise ApplicationError("The WhatsApp template cannot be saved.", fields=errors)
    template.purpose, template.name, template.body = purpose, name, body
    template.language_code = language_code
    template.language = META_LANGUAGES[language_code][0]
    template.parameters = parameters
    template.active = bool(values.get("active", True))


def _save(template: WhatsAppTemplate, action: str, actor: Actor) -> None:
    try:
        with transaction.atomic():
            template.save()
            audit(
                action,
                actor=actor,
                target=template,
                merchant_id=template.merchant_id,
                name=template.name,
                purpose=template.purpose,
                language=template.language_code,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "The WhatsApp template cannot be saved.",
            fields={
                "language_code": [
                    "There is already a template for this purpose in this language:"
                    " edit that one."
                ]
            },
        ) from exc
