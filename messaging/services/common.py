"""What every messaging service shares: the message body's rules, who the actor
is, and the audit row of an action in an order's conversation."""

from django.db import IntegrityError, transaction

from messaging.models import Message
from orders.models import Customer, Order
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError

Channel = Message.Channel
Direction = Message.Direction
Visibility = Message.Visibility
BODY_LIMIT = 100_000


def clean_body(body: str, *, allow_empty: bool = False) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not body and not allow_empty:
        raise ApplicationError(
            "Write a message first.", fields={"body": ["This field is required."]}
        )
    if len(body) > BODY_LIMIT:
        raise ApplicationError(
            f"A message holds at most {BODY_LIMIT:,} characters.",
            fields={"body": ["Too long."]},
        )
    return body


def is_user(actor: Actor) -> bool:
    return getattr(actor, "is_authenticated", False)


def is_order_customer(actor: Actor, order: Order) -> bool:
    return (
        is_user(actor)
        and order.customer_id is not None
        and Customer.objects.filter(pk=order.customer_id, user=actor).exists()
    )


def order_audit(action: str, *, order: Order, target, **fields) -> None:
    """The audit row of `action` on `target` in `order`'s conversation; `fields`
    are audit()'s actor or actor_label, and the event's data."""
    audit(
        action,
        target=target,
        order_id=order.pk,
        merchant_id=order.merchant_id,
        **fields,
    )


def save_team_record(record, action: str, actor: Actor, *, refusal: str, taken: dict):
    """Save one of the merchant's own records (a canned reply, a label) with its
    audit row; a clash with a unique constraint is `refusal`, with `taken` as
    its field errors, and nothing is saved."""
    try:
        with transaction.atomic():
            record.save()
            audit(
                action,
                actor=actor,
                target=record,
                merchant_id=record.merchant_id,
                name=str(record),
            )
    except IntegrityError as exc:
        raise ApplicationError(refusal, fields=taken) from exc
