"""Property tests of the inbound doors (hypothesis): whatever a provider's endpoint
is sent with a valid signature, it answers 2xx, or 4xx in the API's error shape,
never 5xx; and what it accepted applies without an error (a delivery left pending
with an exception would be retried, and fail, forever).

The inputs are each provider's documented sample payload with values replaced by
any JSON value or removed (most of the payload stays readable, so the parsers get
far), and any JSON value at all. Strings include NUL, lone surrogates, bidi marks,
digits of other scripts, 5,000-digit numbers; numbers include 2^31, 2^63, 1e400,
NaN. The examples are derived from the test's name (the default profile, in
tests/conftest.py), so a run is repeatable; `HYPOTHESIS_PROFILE=explore` draws
new ones, many more.
"""

from contextlib import contextmanager

from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from performile.models import InboundDelivery

EDGE_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff x",
    "\u202eevil",
    "١٢٣",  # Arabic-Indic digits: Decimal() reads them
    "９９",  # fullwidth digits
    "9" * 5000,
    "1e400",
    "-1e400",
    "1E-400",
    "NaN",
    "Infinity",
    "-0",
    "0x10",
    "12,50",
    " 12.5 ",
    "99999999999999999999.999",
    "2026-13-45T99:99:99",
    "1970-01-01T00:00:00Z",
    "a" * 300,
    "é" * 256,
    "<script>alert(1)</script>",
    "'; DROP TABLE orders; --",
    "../../etc/passwd",
    "#1001",
    "SE",
    "paid",
    "refunded",
    "cancelled",
]
EDGE_NUMBERS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    2**32,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    10**30,
    10**400,
    0.1,
    1e308,
    -1e-308,
    float("inf"),
    float("-inf"),
    float("nan"),
]

any_text = st.one_of(
    st.sampled_from(EDGE_TEXTS),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=60),
)
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(EDGE_NUMBERS),
    st.integers(),
    st.floats(),
    any_text,
)
any_json = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(any_text, children, max_size=4),
    ),
    max_leaves=12,
)

_DROPPED = object()


def mutated(sample, *, keep: int = 85):
    """`sample` with, at each node, a `100 - keep` percent chance of its value
    replaced by any JSON value (and of a dict's key removed)."""
    if isinstance(sample, dict):
        children = {
            key: _sometimes(mutated(value, keep=keep), st.just(_DROPPED), keep)
            for key, value in sample.items()
        }
        same_shape = st.fixed_dictionaries(children).map(
            lambda drawn: {k: v for k, v in drawn.items() if v is not _DROPPED}
        )
    elif isinstance(sample, list):
        same_shape = st.tuples(*(mutated(item, keep=keep) for item in sample)).map(list)
    else:
        same_shape = st.just(sample)
    return _sometimes(same_shape, any_json, keep)


def mutated_form(sample: dict[str, str], *, values=any_text, keep: int = 75):
    """A form's fields (strings) replaced by any of `values`, or removed."""
    children = {
        key: _sometimes(st.just(value), values | st.just(_DROPPED), keep)
        for key, value in sample.items()
    }
    return st.fixed_dictionaries(children).map(
        lambda drawn: {k: v for k, v in drawn.items() if v is not _DROPPED}
    )


def _sometimes(usual, other, keep: int):
    return st.integers(0, 99).flatmap(lambda n: usual if n < keep else other)


@contextmanager
def undone():
    """What one example stored is rolled back after it, so examples stay
    independent (the test's own transaction stays open)."""

    class _Undo(Exception):
        pass

    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def assert_answered_well(response) -> None:
    """2xx, or 4xx with {"error": {"message": ...}}; and nothing accepted is left
    failing in the inbound log (one waiting for what it needs, RetryLater, such as
    a refund of an order that has not arrived, is not failing)."""
    status = response.status_code
    assert status < 500, (status, response.content[:500])
    if status >= 400:
        assert response["Content-Type"].startswith("application/json"), response
        assert response.json()["error"]["message"], response.content[:500]
        return
    failing = (
        InboundDelivery.objects.exclude(error="")
        .exclude(error__startswith="RetryLater:")
        .values_list("status", "error")
    )
    assert not failing.exists(), list(failing)


def assert_always_answered_well(examples, send) -> None:
    """`send(example)` (a request, its response returned) is answered well for
    every example hypothesis draws from `examples`, each undone after it."""

    @given(example=examples)
    def check(example):
        with undone():
            assert_answered_well(send(example))

    check()
