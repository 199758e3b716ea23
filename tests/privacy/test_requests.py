"""A customer's privacy requests: they follow the customer through a merge, and
a request's status changes only by the privacy services."""

import pytest

from orders.customers import customer_merge
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_erasure
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_merge_moves_the_requests_and_closes_a_second_open_one(
    merchant, anna, staff_user
):
    """Merged into Anna, the other record's requests are hers; its open erasure
    request, the same as hers, is closed as declined with when and why."""
    other = CustomerFactory(merchant=merchant)
    hers = privacy_request_erasure(customer=anna, actor=anna.user)
    same = privacy_request_erasure(customer=other, actor=staff_user)
    done = PrivacyRequest.objects.create(
        merchant=merchant, customer=other, kind="export", status="done"
    )
    customer_merge(customer=other, into=anna, actor=staff_user)
    assert set(PrivacyRequest.objects.filter(customer=anna)) == {hers, same, done}
    same.refresh_from_db()
    assert same.status == "declined"
    assert same.closed_at is not None
    assert "merged into" in same.outcome
    hers.refresh_from_db()
    assert hers.is_open
