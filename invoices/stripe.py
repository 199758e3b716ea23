"""Stripe webhooks read without HTTP objects: the signature, the event, and the
money it moves (docs/providers.md#stripe; setup in docs/invoices-payments.md).

A checkout session and its payment intent describe the same payment, so both carry
the intent's id as `provider_id`: whichever arrives second is a repeat.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from performile.webhooks import (
    BadSignature,
    MalformedPayload,
    hex_hmac,
    parse_json_object,
    signature_matches,
)

TOLERANCE_SECONDS = 300
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# Stripe counts these in thousandths (the last digit always 0).
THREE_DECIMAL_CURRENCIES = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])

CHECKOUT_COMPLETED = "checkout.session.completed"
INTENT_SUCCEEDED = "payment_intent.succeeded"
CHARGE_REFUNDED = "charge.refunded"
HANDLED = frozenset({CHECKOUT_COMPLETED, INTENT_SUCCEEDED, CHARGE_REFUNDED})
# A refund that did not (or not yet) give money back.
UNREFUNDED = frozenset({"failed", "canceled"})


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    created: datetime | None
    object: dict


@dataclass(frozen=True)
class StripeMoney:
    """One payment (positive) or refund (negative), in major units."""

    provider_id: str
    amount: Decimal
    currency: str
    reference: str  # the Stripe payment it belongs to: the intent, else session/charge
    received_at: datetime | None = None
    metadata: dict = field(default_factory=dict)
    email: str = ""


@dataclass(frozen=True)
class StripeRefunds:
    """A charge.refunded event: its refunds when Stripe listed them, and the
    cumulative amount refunded on the charge."""

    charge_id: str
    reference: str
    payment_ids: tuple[str, ...]  # what the original payment may be recorded under
    currency: str
    amount_refunded: Decimal
    amount_refunded_minor: int
    refunds: tuple[StripeMoney, ...] | None  # None: not in the payload
    complete: bool  # False: Stripe listed only the first page of refunds
    received_at: datetime | None
    metadata: dict
    email: str


# --- Signature -----------------------------------------------------------------------


def verify_signature(*, header: str | None, body: bytes, secret: str) -> None:
    """`Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 of "{t}.{body}"
    keyed with the endpoint secret; any v1 may match; t within 300 s of now."""
    if not secret:
        raise BadSignature(
            "Stripe is not configured for this endpoint: its signing secret"
            " (whsec_...) is empty in the merchant's billing profile."
        )
    timestamp, signatures = _parse_signature_header(header)
    expected = hex_hmac(secret, timestamp.encode() + b"." + body)
    if not any(signature_matches(expected, given) for given in signatures):
        raise BadSignature("No v1 signature in Stripe-Signature matches the body.")
    if abs(int(timezone.now().timestamp()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise BadSignature(
            f"The Stripe-Signature timestamp is more than {TOLERANCE_SECONDS}"
            " seconds away from now."
        )


def _parse_signature_header(header: str | None) -> tuple[str, list[str]]:
    timestamp, signatures = "", []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1" and value:
            signatures.append(value)
    if not header:
        raise BadSignature("The Stripe-Signature header is missing.")
    if not timestamp.isdigit() or not signatures:
        raise BadSignature(
            "The Stripe-Signature header must be t=<unix time>,v1=<signature>."
        )
    return timestamp, signatures


# --- Events ------------------------------------------------------------------------


def parse_event(body: bytes) -> StripeEvent:
    payload = parse_json_object(body)
    problems = [
        f"`{name}` is missing or not a string"
        for name in ("id", "type")
        if not isinstance(payload.get(name), str) or not payload[name]
    ]
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        problems.append("`data.object` is missing or not an object")
    if problems:
        raise MalformedPayload("Not a Stripe event: " + "; ".join(problems) + ".")
    return StripeEvent(
        id=payload["id"],
        type=payload["type"],
        created=_time(payload.get("created")),
        object=obj,
    )


def read_event(event: StripeEvent) -> StripeMoney | StripeRefunds | None:
    """The money the event moves; None when it moves none that we record."""
    obj = event.object
    if event.type == CHECKOUT_COMPLETED:
        return _checkout_payment(obj, event.created)
    if event.type == INTENT_SUCCEEDED:
        return _intent_payment(obj, event.created)
    if event.type == CHARGE_REFUNDED:
        return _charge_refunds(obj, event.created)
    return None


def to_amount(minor: int, currency: str) -> Decimal:
    """Stripe's integer amount in the currency's major unit."""
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return Decimal(minor)
    if currency in THREE_DECIMAL_CURRENCIES:
        return Decimal(minor).scaleb(-3).quantize(Decimal("0.01"))
    return Decimal(minor).scaleb(-2)


def _checkout_payment(session: dict, created) -> StripeMoney | None:
    if session.get("payment_status") != "paid":
        return None
    session_id = _text(session, "id")
    currency = _currency(session)
    minor = _minor(session, "amount_total")
    if not minor:
        return None
    details = session.get("customer_details") or {}
    return StripeMoney(
        provider_id=_intent_id(session) or session_id,
        amount=to_amount(minor, currency),
        currency=currency,
        reference=_intent_id(session) or session_id,
        received_at=created,
        metadata=_metadata(session),
        email=_email(details.get("email"), session.get("customer_email")),
    )


def _intent_payment(intent: dict, created) -> StripeMoney | None:
    intent_id = _text(intent, "id")
    currency = _currency(intent)
    minor = _minor(intent, "amount_received")
    if not minor:
        return None
    return StripeMoney(
        provider_id=intent_id,
        amount=to_amount(minor, currency),
        currency=currency,
        reference=intent_id,
        received_at=created,
        metadata=_metadata(intent),
        email=_email(intent.get("receipt_email")),
    )


def _charge_refunds(charge: dict, created) -> StripeRefunds:
    charge_id = _text(charge, "id")
    currency = _currency(charge)
    refunded = _minor(charge, "amount_refunded")
    intent_id = _intent_id(charge)
    reference = intent_id or charge_id
    listed = charge.get("refunds")
    refunds = None
    if isinstance(listed, dict) and isinstance(listed.get("data"), list):
        refunds = tuple(
            _refund(item, currency, reference, created)
            for item in listed["data"]
            if isinstance(item, dict) and item.get("status") not in UNREFUNDED
        )
    billing = charge.get("billing_details") or {}
    return StripeRefunds(
        charge_id=charge_id,
        reference=reference,
        payment_ids=tuple(dict.fromkeys(i for i in (intent_id, charge_id) if i)),
        currency=currency,
        amount_refunded=to_amount(refunded, currency),
        amount_refunded_minor=refunded,
        refunds=tuple(r for r in refunds if r.amount) if refunds is not None else None,
        complete=refunds is not None and listed.get("has_more") is not True,
        received_at=created,
        metadata=_metadata(charge),
        email=_email(charge.get("receipt_email"), billing.get("email")),
    )


def _refund(item: dict, currency: str, reference: str, created) -> StripeMoney:
    currency = _currency(item) if item.get("currency") else currency
    return StripeMoney(
        provider_id=_text(item, "id", "refund"),
        amount=-to_amount(_minor(item, "amount", "refund"), currency),
        currency=currency,
        reference=reference,
        received_at=_time(item.get("created")) or created,
    )


# --- Field readers (a wrong shape is the sender's error: 400) ------------------------


def _text(obj: dict, name: str, what: str = "data.object") -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{what}.{name} is missing or not a string.")
    return value


def _minor(obj: dict, name: str, what: str = "data.object") -> int:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedPayload(
            f"{what}.{name} must be a non-negative integer (minor units)."
        )
    return value


def _currency(obj: dict) -> str:
    value = obj.get("currency")
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise MalformedPayload("data.object.currency must be a 3-letter code.")
    return value.upper()


def _intent_id(obj: dict) -> str:
    """`payment_intent` is an id, or the intent itself when expanded."""
    value = obj.get("payment_intent")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _metadata(obj: dict) -> dict:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return {}
    return {str(k): str(v).strip() for k, v in metadata.items() if v is not None}


def _email(*candidates) -> str:
    return next((c.strip() for c in candidates if isinstance(c, str) and c), "")


def _time(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
