"""/addorder user order_id service payment_method amount [notes]

An admin records a paid order: the customer (linked from the Discord user, created
if new), the order in payment verified, the payment on its timeline (invoices then
records it), and a confirmation DM. All of it or none of it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from orders.discord import choices, people, replies
from orders.discord.dms import send_dm
from orders.discord.embeds import order_embed
from orders.discord.invocation import DiscordUser, Invocation
from orders.models import Order, Source
from orders.money import parse_amount
from orders.services import order_create, order_log_payment
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, Conflict

ORDER_EXISTS = "❌ Order ID already exists"
ADD_FAILED = "❌ Failed to add order"


@dataclass(frozen=True)
class NewOrder:
    customer: DiscordUser
    order_number: str
    service: str
    payment_method: str
    amount: Decimal
    currency: str
    notes: str


class Invalid(Exception):
    def __init__(self, text: str, detail: str = ""):
        super().__init__(text)
        self.text = text
        self.detail = detail


def addorder(asked: Invocation):
    if not asked.may_manage:
        return replies.error(replies.PERMISSION_DENIED)
    try:
        new = _parse(asked)
    except Invalid as exc:
        return replies.error(exc.text, exc.detail)
    try:
        order = _record(asked, new)
    except Conflict:
        return replies.error(ORDER_EXISTS, new.order_number)
    except ApplicationError as exc:
        return replies.error(ADD_FAILED, exc.message)
    return replies.message(
        f"✅ Order **{order.order_number}** added for {new.customer.mention}.\n"
        f"📩 The customer was sent a DM with the order ID and how to track it.",
        embeds=_embeds(order),
    )


def _parse(asked: Invocation) -> NewOrder:
    customer = asked.user_option("user")
    if customer is None:
        raise Invalid(ADD_FAILED, "choose the customer (user).")
    # Without an order_id the order gets the store's next number.
    order_number = str(asked.option("order_id") or "").strip()
    if len(order_number) > Order._meta.get_field("order_number").max_length:
        raise Invalid(ADD_FAILED, "order_id is too long (64 characters at most).")
    service = " ".join(str(asked.option("service") or "").split())
    if not service:
        raise Invalid(ADD_FAILED, "service is required.")
    method = choices.match(choices.PAYMENT_METHODS, asked.option("payment_method"))
    if method is None:
        names = ", ".join(value for value, _ in choices.PAYMENT_METHODS)
        raise Invalid("❌ Invalid payment method", f"choose one of {names}.")
    amount, currency = _amount(asked.option("amount"), asked.store.currency)
    return NewOrder(
        customer=customer,
        order_number=order_number,
        service=service[:200],
        payment_method=method,
        amount=amount,
        currency=currency,
        notes=str(asked.option("notes") or "").strip(),
    )


def _amount(raw, default_currency: str) -> tuple[Decimal, str]:
    try:
        amount, currency = parse_amount(raw)
    except ValueError as exc:
        raise Invalid("❌ Invalid amount", str(exc)) from exc
    if amount <= 0:
        raise Invalid("❌ Invalid amount", "it must be more than zero.")
    return amount, currency or default_currency


def _record(asked: Invocation, new: NewOrder) -> Order:
    staff = people.staff_for(asked.store.merchant, asked.caller.id)
    method_name = choices.name_of(choices.PAYMENT_METHODS, new.payment_method)
    with transaction.atomic():
        customer = people.customer_for_discord(asked.store, new.customer)
        order = order_create(
            store=asked.store,
            order_number=new.order_number,
            source=Source.DISCORD,
            status=OrderStatus.PAYMENT_VERIFIED,
            service=new.service,
            payment_method=new.payment_method,
            amount=new.amount,
            currency=new.currency,
            notes=new.notes,
            customer=customer,
            actor=staff,
            actor_label=asked.caller.label,
        )
        order_log_payment(
            order=order,
            amount=new.amount,
            currency=new.currency,
            method=new.payment_method,
            method_label=method_name,
            reference=new.order_number,
            actor=staff,
            actor_label=asked.caller.label,
            verified_by=people.display_name(staff) if staff else asked.caller.label,
        )
        send_dm(
            guild=asked.guild,
            user_id=new.customer.id,
            content=_confirmation(order, asked.guild, method_name),
            embeds=_embeds(order),
            order_id=order.pk,
        )
    return order


def _confirmation(order: Order, guild, method_name: str) -> str:
    where = f" in **{guild.name}**" if guild.name else ""
    return (
        f"✅ **Order confirmed{where}**\n"
        f"Your payment of {order.amount} {order.currency} by {method_name} for"
        f" **{order.service}** is verified.\n"
        f"Order ID: **{order.order_number}** (keep it for reference)\n"
        f"Follow your order with `/trackorder order_id:{order.order_number}`"
        f" (or just `/trackorder` for your latest order)."
    )


def _embeds(order: Order) -> list[dict]:
    return [order_embed(order)]
