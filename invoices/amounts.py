"""Line and document arithmetic: Decimal, rounded half up to the cent, per line."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    unit_price: Decimal  # net
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    quantity: Decimal, price: Decimal, rate: Decimal, *, price_includes_tax: bool
) -> LineAmounts:
    """Amounts of a line of `quantity` at `price` (gross when `price_includes_tax`)
    taxed at `rate` percent. With gross prices the line's total is exact and the tax
    is what is left after the net; with net prices the tax is rounded per line."""
    quantity, price, rate = Decimal(quantity), Decimal(price), Decimal(rate)
    factor = 1 + rate / HUNDRED
    if price_includes_tax:
        total = cents(quantity * price)
        net = cents(total / factor)
        return LineAmounts(cents(price / factor), net, total - net, total)
    net = cents(quantity * price)
    tax = cents(net * rate / HUNDRED)
    return LineAmounts(cents(price), net, tax, net + tax)


def share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`amount` × part / whole, to the cent."""
    if not whole:
        return Decimal("0.00")
    return cents(Decimal(amount) * Decimal(part) / Decimal(whole))
