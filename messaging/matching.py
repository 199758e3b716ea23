"""Which order an inbound message is about (docs/messaging.md, "Finding the order").

In order of trust:
1. the thread token of one of our emails (in In-Reply-To/References, or in a
   reply+<token>@ address it was sent to);
2. an order number in the subject or text, in the store's format (a bare number only
   counts when it is an order of the sender);
3. the sender's email address or phone number, to the customer's most recent open
   conversation, else their most recent open order.

The address, number or WhatsApp line the message was sent to names the store, and
with it the merchant whose orders and customers are searched. Where nothing matches
the message is unmatched, in that merchant's inbox (or the platform's, when even the
merchant is unknown).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Upper

from messaging.models import Message, Thread
from orders import state_machine
from orders.customers import pick_by_phone
from orders.models import Customer, Order, Store
from orders.phones import normalize_phone

Channel = Message.Channel

# Our outbound emails' Message-IDs: <t-<token>.<random>@domain> (threading.py).
TOKEN_IN_MESSAGE_ID = re.compile(r"<t-([0-9a-f]{16})\.", re.IGNORECASE)
TOKEN_IN_ADDRESS = re.compile(r"\+([0-9a-f]{16})@", re.IGNORECASE)
# The default order number format: "#1042", "ORD-00042", "SO12345", or a bare number.
DEFAULT_NUMBER = re.compile(r"(?<![\w#-])(#?[A-Za-z]{0,6}-?\d{3,12})(?![\w-])")
TEXT_LIMIT = 20_000


@dataclass
class Match:
    order: Order | None = None
    customer: Customer | None = None
    merchant_id: int | None = None
    how: str = "unmatched"
    stores: list[Store] = field(default_factory=list)


@dataclass(frozen=True)
class Inbound:
    """What the matcher reads of an inbound message."""

    channel: str
    sender: str
    recipient: str = ""
    subject: str = ""
    body: str = ""
    references: tuple[str, ...] = ()


def match_inbound(inbound: Inbound) -> Match:
    stores = stores_for_recipient(inbound.channel, inbound.recipient)
    merchant_ids = {store.merchant_id for store in stores}
    customers = customers_for_sender(inbound.channel, inbound.sender, merchant_ids)
    match = (
        _by_thread_token(inbound, merchant_ids)
        or _by_order_number(inbound, stores, customers)
        or _by_sender(customers)
    )
    if match is None:
        match = Match(
            merchant_id=_only(merchant_ids) or _only({c.merchant_id for c in customers})
        )
        if len(customers) == 1:
            match.customer = customers[0]
    elif match.customer is None and match.order.customer_id:
        match.customer = next(
            (c for c in customers if c.pk == match.order.customer_id), None
        )
    match.stores = stores
    return match


def stores_for_recipient(channel: str, recipient: str) -> list[Store]:
    """The store(s) whose address, SMS number or WhatsApp line this was sent to."""
    recipient = (recipient or "").strip()
    if not recipient:
        return []
    if channel == Channel.EMAIL:
        addresses = [a.strip() for a in recipient.split(",") if a.strip()]
        rule = Q(pk__in=[])
        for address in addresses:
            rule |= Q(support_email__iexact=_without_plus_tag(address))
        stores = Store.objects.filter(rule)
    elif channel == Channel.SMS:
        stores = Store.objects.filter(sms_number=_phone(recipient) or recipient)
    elif channel == Channel.WHATSAPP:
        stores = Store.objects.filter(whatsapp_phone_number_id=recipient)
    else:
        return []
    return list(stores)


def customers_for_sender(
    channel: str, sender: str, merchant_ids: set[int]
) -> list[Customer]:
    """The customers this sender is, at the merchants in scope (all when none)."""
    sender = (sender or "").strip()
    if not sender:
        return []
    if channel == Channel.EMAIL:
        customers = Customer.objects.annotate(email_upper=Upper("email")).filter(
            email_upper=sender.upper()
        )
    elif channel in (Channel.SMS, Channel.WHATSAPP):
        phone = _phone(sender)
        if not phone:
            return []
        customers = Customer.objects.filter(phone=phone)
    else:
        return []
    if merchant_ids:
        customers = customers.filter(merchant_id__in=merchant_ids)
    found = list(customers.order_by("-pk")[:20])
    if channel == Channel.EMAIL:
        return found
    # A phone is someone only when the rules of docs/customers.md say so.
    by_merchant: dict[int, list[Customer]] = {}
    for customer in found:
        by_merchant.setdefault(customer.merchant_id, []).append(customer)
    picked = (pick_by_phone(group) for group in by_merchant.values())
    return [customer for customer in picked if customer is not None]


def _by_thread_token(inbound: Inbound, merchant_ids: set[int]) -> Match | None:
    tokens = []
    for reference in inbound.references:
        tokens += TOKEN_IN_MESSAGE_ID.findall(reference or "")
    tokens += TOKEN_IN_ADDRESS.findall(inbound.recipient or "")
    if not tokens:
        return None
    threads = Thread.objects.filter(token__in=[t.lower() for t in tokens])
    if merchant_ids:
        threads = threads.filter(merchant_id__in=merchant_ids)
    thread = threads.select_related("order").order_by("-pk").first()
    if thread is None or thread.order.deleted_at:
        return None
    return Match(thread.order, merchant_id=thread.merchant_id, how="thread_token")


def _by_order_number(
    inbound: Inbound, stores: list[Store], customers: list[Customer]
) -> Match | None:
    text = f"{inbound.subject}\n{inbound.body}"[:TEXT_LIMIT]
    strong, weak = _number_candidates(text, stores)
    if not strong and not weak:
        return None
    orders = Order.objects.not_deleted()
    if stores:
        orders = orders.filter(merchant_id__in={s.merchant_id for s in stores})
    customer_ids = {c.pk for c in customers}
    found = list(
        orders.filter(order_number__in=_variants(strong | weak))
        .select_related("customer")
        .order_by("-placed_at", "-pk")[:20]
    )
    strong_variants = _variants(strong)
    found = [
        order
        for order in found
        if order.order_number in strong_variants or order.customer_id in customer_ids
    ]
    if not found:
        return None
    own = [order for order in found if order.customer_id in customer_ids]
    if own:
        return Match(own[0], merchant_id=own[0].merchant_id, how="order_number")
    if len({order.merchant_id for order in found}) > 1:
        return None  # the same number at two merchants, and nothing to choose by
    return Match(found[0], merchant_id=found[0].merchant_id, how="order_number")


def _number_candidates(text: str, stores: list[Store]) -> tuple[set[str], set[str]]:
    """(strong, weak): numbers in a store's own format or with a # or a prefix are
    strong; bare numbers are weak (they may be an amount or a postcode)."""
    strong, weak = set(), set()
    patterns = [s.order_number_pattern for s in stores if s.order_number_pattern]
    if not stores:
        patterns = list(
            Store.objects.exclude(order_number_pattern="")
            .values_list("order_number_pattern", flat=True)
            .distinct()[:200]
        )
    for pattern in patterns:
        try:
            strong.update(m.group(0) for m in re.finditer(pattern, text))
        except re.error:
            continue
    for candidate in DEFAULT_NUMBER.findall(text):
        (weak if candidate.isdigit() else strong).add(candidate)
    return strong, weak - strong


def _variants(candidates: set[str]) -> set[str]:
    variants = set()
    for candidate in candidates:
        bare = candidate.lstrip("#")
        variants.update({candidate, candidate.upper(), bare, bare.upper(), f"#{bare}"})
    return variants


def _by_sender(customers: list[Customer]) -> Match | None:
    if not customers or len({c.merchant_id for c in customers}) > 1:
        return None
    customer_ids = [c.pk for c in customers]
    orders = Order.objects.not_deleted().filter(customer_id__in=customer_ids)
    order = (
        orders.filter(thread__status=Thread.Status.OPEN)
        .exclude(thread__last_message_at=None)
        .order_by("-thread__last_message_at")
        .first()
    ) or (
        orders.exclude(status__in=state_machine.FINAL)
        .order_by("-placed_at", "-pk")
        .first()
    )
    if order is None:
        return None
    customer = next(c for c in customers if c.pk == order.customer_id)
    return Match(order, customer=customer, merchant_id=order.merchant_id, how="sender")


def _phone(raw: str) -> str:
    raw = (raw or "").strip()
    if raw.startswith("whatsapp:"):
        raw = raw.removeprefix("whatsapp:")
    if raw and raw[0].isdigit():
        raw = f"+{raw}"  # WhatsApp's wa_id: the number without the +
    try:
        return normalize_phone(raw)
    except ValueError:
        return ""


def _without_plus_tag(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else address


def _only(values: set):
    return next(iter(values)) if len(values) == 1 else None
