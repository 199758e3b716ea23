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
        "payment_method",
        "notes",
        "delivery_address",
        "tracking_number",
        "courier",
        "tracking_url",
    )
