from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class IncomingCustomer:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class IncomingLine:
    title: str
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    sku: str = ""
    kind: str = "item"  # OrderLine.Kind: item, shipping, discount, fee
    tax_rate: Decimal | None = None  # percent


@dataclass(frozen=True)
class IncomingPayment:
    """Money the webshop took (positive) or gave back (negative), under the
    webshop's own id for it, which makes recording it idempotent."""

    provider_id: str
    amount: Decimal
    received_at: datetime | None = None
    gateway: str = ""
    note: str = ""


@dataclass(frozen=True)
class IncomingMoney:
    """What the webshop says about the order's money (invoices applies it)."""

    # How much the shop has taken for the order in all (None: it does not say).
    paid: Decimal | None = None
    gateway: str = ""
    refunds: tuple[IncomingPayment, ...] = ()
    # The order was cancelled or voided in the shop: nothing more is owed.
    cancelled: bool = False
    reason: str = ""


@dataclass(frozen=True)
class IncomingOrder:
    """An order as a webshop describes it, normalized."""

    source: str
    order_number: str
    external_id: str = ""
    status: str | None = None  # our status the webshop's state maps to
    customer: IncomingCustomer | None = None
    amount: Decimal = Decimal("0")
    currency: str = "EUR"
    tax_amount: Decimal = Decimal("0")
    taxes_included: bool | None = None
    shipping_method: str = ""
    money: IncomingMoney | None = None
    payment_method: str = ""
    service: str = ""
    notes: str = ""
    delivery_address: dict = field(default_factory=dict)
    package: dict = field(default_factory=dict)
    tracking_number: str = ""
    courier: str = ""
    tracking_url: str = ""
    lines: tuple[IncomingLine, ...] = ()
    placed_at: datetime | None = None
    updated_at: datetime | None = None

    # The fields an update from the webshop may change on an existing order.
    UPDATABLE = (
        "amount",
        "currency",
        "tax_amount",
        "taxes_included",
        "shipping_method",
        "payment_method",
        "notes",
        "delivery_address",
        "tracking_number",
        "courier",
        "tracking_url",
    )
