"""Which courier a tracking number belongs to, and its public tracking page.

Pure functions over tables: no database, no other app. A shop tells us the carrier by
name (Shopify's `tracking_company`, WooCommerce's provider slug, what staff type);
when it does not, or names one we do not know, the number's shape decides. A shape
two couriers share (ten digits: DHL Express or a DB Schenker waybill) goes to the one
listed first below, so the carrier's name, when given, always wins. The tables are
documented in docs/couriers.md ("Which courier is it?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    # The courier's public tracking page; `{number}` is the tracking number.
    tracking_url: str

    def link(self, number: str) -> str:
        return self.tracking_url.format(number=quote(number.strip(), safe=""))


CARRIERS = {
    carrier.code: carrier
    for carrier in (
        Carrier(
            "postnord", "PostNord", "https://tracking.postnord.com/se/?id={number}"
        ),
        Carrier("bring", "Bring", "https://tracking.bring.com/tracking/{number}"),
        Carrier(
            "dhl",
            "DHL",
            "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html"
            "?submit=1&tracking-id={number}",
        ),
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
        Carrier(
            "gls", "GLS", "https://gls-group.com/EU/en/parcel-tracking?match={number}"
        ),
        Carrier(
            "dbschenker",
            "DB Schenker",
            "https://www.dbschenker.com/app/tracking-public/?refNumber={number}",
        ),
        Carrier("budbee", "Budbee", "https://tracking.budbee.com/{number}"),
        Carrier("instabox", "Instabox", "https://track.instabox.io/{number}"),
        # The sandbox courier's page where `make run` starts it; an account's own
        # base URL gives the right one (shipments.couriers.sandbox.tracking_url).
        Carrier("sandbox", "Sandbox courier", "http://127.0.0.1:8090/track/{number}"),
    )
}

# Carrier names as shops spell them, lower-cased with everything but letters and
# digits removed ("DHL Express" -> "dhlexpress", Woo's "postnord-se" -> "postnordse").
# A name is matched exactly first, then by the first fragment it contains.
NAMES = {
    "posten": "postnord",  # Sweden's and Denmark's post, as many Swedish shops say
    "postensverige": "postnord",
    "postdanmark": "postnord",
    "postennorge": "bring",
    "postennorgeas": "bring",
    "norwaypost": "bring",
    "unitedparcelservice": "ups",
    "generallogisticssystems": "gls",
    "schenker": "dbschenker",
    "sandboxpost": "sandbox",
}
NAME_FRAGMENTS = (
    ("postnord", "postnord"),
    ("bring", "bring"),
    ("schenker", "dbschenker"),
    ("dhl", "dhl"),
    ("budbee", "budbee"),
    ("instabox", "instabox"),
    ("sandbox", "sandbox"),
    ("gls", "gls"),  # before "ups": "GLS Group"
    ("ups", "ups"),
)

# Number shapes, tried in order (the first match wins). UPU S10 numbers (two
# letters, nine digits, the issuing country) go to that country's post.
S10 = re.compile(r"^[A-Z]{2}\d{9}([A-Z]{2})$")
S10_COUNTRIES = {"SE": "postnord", "DK": "postnord", "NO": "bring"}
PATTERNS = (
    ("sandbox", re.compile(r"^SBX\d{10}$")),
    ("ups", re.compile(r"^1Z[0-9A-Z]{16}$")),
    ("dhl", re.compile(r"^(JJD\d{9,20}|JVGL\d{8,20}|\d{10})$")),
    ("postnord", re.compile(r"^00\d{15,18}$")),
    ("bring", re.compile(r"^370\d{14,17}$")),
    ("gls", re.compile(r"^\d{11,12}$")),
    ("dbschenker", re.compile(r"^[A-Z]{5}\d{9}$")),
    ("budbee", re.compile(r"^(BUD|BB)[0-9A-Z]{8,16}$")),
    ("instabox", re.compile(r"^(INS|IBX)[0-9A-Z]{8,16}$")),
)


def carrier_identify(number: str, *, carrier_name: str = "") -> Carrier | None:
    """The courier of `number`: by the shop's carrier name when we know it, else by
    the number's shape; None when neither tells."""
    code = carrier_code_for_name(carrier_name) or carrier_code_for_number(number)
    return CARRIERS.get(code or "")


def carrier_code_for_name(name: str) -> str | None:
    key = re.sub(r"[^a-z0-9]", "", (name or "").lower())
    if not key:
        return None
    if key in CARRIERS or key in NAMES:
        return NAMES.get(key, key)
    for fragment, code in NAME_FRAGMENTS:
        if fragment in key:
            return code
    return None


def carrier_code_for_number(number: str) -> str | None:
    compact = re.sub(r"[\s-]", "", (number or "").upper())
    if match := S10.match(compact):
        return S10_COUNTRIES.get(match.group(1))
    for code, pattern in PATTERNS:
        if pattern.match(compact):
            return code
    return None


def tracking_link(code: str, number: str) -> str:
    """The courier's public tracking page for `number` ("" for an unknown code or
    no number)."""
    carrier = CARRIERS.get(code)
    return carrier.link(number) if carrier and number.strip() else ""
