"""/addorder's use case: an admin records a paid order.

The customer (linked from the Discord user, created if new), the order in payment
verified, the payment on its timeline (invoices then records it), and a
confirmation DM. All of it or none of it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from orders.discord import choices, people
from orders.discord.dms import send_dm
from orders.discord.embeds import order_embed
from orders.discord.invocation import DiscordUser, Invocation
from orders.discord.refusals import (
    ADD_FAILED,
    INVALID_AMOUNT,
    INVALID_PAYMENT_METHOD,
    ORDER_EXISTS,
    PERMISSION_DENIED,
    Refused,
)
from orders.languages import order_language, writing_to
from orders.models import Order, Source
from orders.money import order_currency, parse_amount
from orders.services import order_create, order_log_payment
from orders.state_machine import OrderStatus
from performile.errors import ApplicationError, Conflict


@dataclass(frozen=True)
class AddOrderOptions:
    """The command's options as given: the strings trimmed, the payment method and
    the amount as typed (the service checks them)."""

    customer: DiscordUser | None
    order_number: str
    service: str
    payment_method: object
    amount: object
    notes: str


@dataclass(frozen=True)
class NewOrder:
    customer: DiscordUser
    order_number: str
    service: str
    payment_method: str
    amount: Decimal
    currency: str
    notes: str


def discord_order_add(*, asked: Invocation, options: AddOrderOptions) -> Order:
    """Record the order, or raise Refused (nothing written): not Manage Server,
    an option that does not check out, an order id already taken, or a refusal of
    the orders services."""
    if not asked.may_manage:
        raise Refused(PERMISSION_DENIED)
    new = _checked(asked, options)
    try:
        return _record(asked, new)
    except Conflict as exc:
        raise Refused(ORDER_EXISTS, new.order_number) from exc
    except ApplicationError as exc:
        raise Refused(ADD_FAILED, exc.message) from exc


def _checked(asked: Invocation, options: AddOrderOptions) -> NewOrder:
    if options.customer is None:
        raise Refused(ADD_FAILED, "choose the customer (user).")
    # Without an order_id the order gets the store's next number.
    if len(options.order_number) > Order._meta.get_field("order_number").max_length:
        raise Refused(ADD_FAILED, "order_id is too long (64 characters at most).")
    if not options.service:
        raise Refused(ADD_FAILED, "service is required.")
    method = choices.match(choices.PAYMENT_METHODS, options.payment_method)
    if method is None:
        names = ", ".join(value for value, _ in choices.PAYMENT_METHODS)
        raise Refused(INVALID_PAYMENT_METHOD, f"choose one of {names}.")
    amount, currency = _amount(options.amount, asked.store)
    return NewOrder(
        customer=options.customer,
        order_number=options.order_number,
        service=options.service[:200],
        payment_method=method,
        amount=amount,
        currency=currency,
        notes=options.notes,
    )


def _amount(raw, store) -> tuple[Decimal, str]:
    try:
        amount, currency = parse_amount(raw)
    except ValueError as exc:
        raise Refused(INVALID_AMOUNT, str(exc)) from exc
    if amount <= 0:
        raise Refused(INVALID_AMOUNT, "it must be more than zero.")
    return amount, order_currency(store, currency)


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
        with writing_to(order_language(order)):
            send_dm(
                guild=asked.guild,
                user_id=new.customer.id,
                content=_confirmation(order, asked.guild, method_name),
                embeds=[order_embed(order)],
                order_id=order.pk,
            )
    return order


def _confirmation(order: Order, guild, method_name: str) -> str:
    """The customer's DM, in the active language."""
    values = {
        "guild": guild.name,
        "amount": f"{order.amount} {order.currency}",
        "method": method_name,
        "service": order.service,
        "number": order.order_number,
    }
    title = (
        _("Order confirmed in **%(guild)s**") if guild.name else _("Order confirmed")
    )
    lines = [
        "✅ **" + title % values + "**",
        _("Your payment of %(amount)s by %(method)s for **%(service)s** is verified.")
        % values,
        _("Order ID: **%(number)s** (keep it for reference)") % values,
        _(
            "Follow your order with `/trackorder order_id:%(number)s` (or just"
            " `/trackorder` for your latest order)."
        )
        % values,
    ]
    return "\n".join(lines)
