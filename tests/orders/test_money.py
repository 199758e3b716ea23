from decimal import Decimal

import pytest

from orders.models import Store
from orders.money import order_currency, parse_amount
from orders.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$150.00", (Decimal("150.00"), "USD")),
        ("150", (Decimal("150.00"), None)),
        (150, (Decimal("150.00"), None)),
        ("€12,50", (Decimal("12.50"), "EUR")),
        ("1 234,50 kr", (Decimal("1234.50"), None)),
        ("1,234.56", (Decimal("1234.56"), None)),
        ("1.234,56", (Decimal("1234.56"), None)),
        ("SEK 499", (Decimal("499.00"), "SEK")),
        ("200.00 NOK", (Decimal("200.00"), "NOK")),
        ("£0.99", (Decimal("0.99"), "GBP")),
    ],
)
def test_amounts_as_people_type_them(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ((), "SEK"),
        ((None, None), "SEK"),
        ((None, "USD"), "USD"),
        (("eur", "USD"), "EUR"),
        (("", "NOK"), "NOK"),
    ],
    ids=["nothing-named", "none-named", "amounts-code", "field-first", "blank-field"],
)
def test_order_currency_is_the_first_named_else_the_stores(named, expected):
    """The currency field wins over the code in the amount's text, which wins over
    the store's currency; the result is in capitals."""
    assert order_currency(Store(currency="SEK"), *named) == expected


@pytest.mark.parametrize("raw", ["", "ten", "-5", "$1.005", "NaN", "1e400000"])
def test_not_amounts(raw):
    with pytest.raises(ValueError, match=r"."):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+46 70 123 45 67", None, "+46701234567"),
        ("070-123 45 67", "SE", "+46701234567"),
        ("+47 412 34 567", None, "+4741234567"),
        ("", None, ""),
    ],
)
def test_phones_to_e164(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["12", "not a phone", "+46 1"])
def test_not_phones(raw):
    with pytest.raises(ValueError, match="phone number"):
        normalize_phone(raw)
