"""Which courier a tracking number belongs to (orders.carriers)."""

from pathlib import Path

import pytest

from orders.carriers import CARRIERS, carrier_identify, tracking_link


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("PostNord", "postnord"),
        ("PostNord Sverige", "postnord"),
        ("postnord-se", "postnord"),
        ("Posten", "postnord"),
        ("Bring", "bring"),
        ("Posten Norge", "bring"),
        ("DHL Express", "dhl"),
        ("dhl", "dhl"),
        ("DHL Freight", "dhl"),
        ("UPS", "ups"),
        ("ups", "ups"),
        ("GLS", "gls"),
        ("GLS Group", "gls"),
        ("DB Schenker", "dbschenker"),
        ("Schenker", "dbschenker"),
        ("Budbee", "budbee"),
        ("Instabox", "instabox"),
        ("Sandbox Post", "sandbox"),
        ("sandbox", "sandbox"),
    ],
)
def test_the_shops_carrier_name_names_the_courier(name, code):
    """A carrier name wins over the number's shape, whatever the number."""
    assert carrier_identify("anything", carrier_name=name).code == code
    assert carrier_identify("1Z999AA10123456784", carrier_name=name).code == code


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("00370000000000000", "postnord"),
        ("00373500401234567890", "postnord"),
        ("RR123456785SE", "postnord"),
        ("UA123456789DK", "postnord"),
        ("370722123456789012", "bring"),
        ("37070000000000000", "bring"),
        ("CS123456789NO", "bring"),
        ("1234567890", "dhl"),
        ("JJD000390000000001", "dhl"),
        ("1Z999AA10123456784", "ups"),
        ("1z 999 aa1 0123456784", "ups"),
        ("12345678901", "gls"),
        ("SESTO123456789", "dbschenker"),
        ("BUD1A2B3C4D5E", "budbee"),
        ("INS12345678AB", "instabox"),
        ("SBX1234567897", "sandbox"),
    ],
)
def test_without_a_known_name_the_number_decides(number, code):
    assert carrier_identify(number).code == code
    assert carrier_identify(number, carrier_name="Acme Freight").code == code


@pytest.mark.parametrize("number", ["", "hello", "RR123456785US", "12345"])
def test_an_unknown_shape_and_name_is_none(number):
    assert carrier_identify(number, carrier_name="") is None


def test_every_courier_has_a_tracking_link():
    assert set(CARRIERS) >= {
        "postnord",
        "bring",
        "dhl",
        "ups",
        "gls",
        "dbschenker",
        "budbee",
        "instabox",
        "sandbox",
    }
    for code in CARRIERS:
        link = tracking_link(code, "AB 12/3")
        assert link.startswith("http")
        assert "AB%2012%2F3" in link
    assert tracking_link("postnord", "RR123456785SE") == (
        "https://tracking.postnord.com/se/?id=RR123456785SE"
    )
    assert tracking_link("nobody", "RR123456785SE") == ""
    assert tracking_link("ups", " ") == ""


def test_the_documented_table_lists_every_courier_with_its_page():
    """docs/couriers.md ("Which courier is it?") shows every courier we identify."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "couriers.md").read_text()
    section = doc.split("## Which courier is it?")[1].split("\n## ")[0]
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in section.splitlines()
        if line.startswith("| `")
    }
    assert rows == {code: carrier.name for code, carrier in CARRIERS.items()}
    for code, carrier in CARRIERS.items():
        if code != "sandbox":
            page = carrier.tracking_url.replace("{number}", "<n>")
            assert f"`{page}`" in section, code
