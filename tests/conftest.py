import pytest
from rest_framework.test import APIClient

from orders.models import Membership
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
)


@pytest.fixture
def store(db):
    return StoreFactory(name="Nordic Goods")


@pytest.fixture
def merchant(store):
    return store.merchant


@pytest.fixture
def second_store(merchant):
    return StoreFactory(merchant=merchant, name="Nordic Outlet")


def _member(merchant, role, username, **kwargs):
    user = UserFactory(username=username)
    MembershipFactory(user=user, merchant=merchant, role=role, **kwargs)
    return user


@pytest.fixture
def staff_user(merchant):
    return _member(merchant, Membership.Role.STAFF, "staff")


@pytest.fixture
def admin_member(merchant):
    return _member(merchant, Membership.Role.ADMIN, "merchant-admin")


@pytest.fixture
def reseller(merchant, second_store):
    return _member(
        merchant, Membership.Role.RESELLER, "reseller", stores=[second_store]
    )


@pytest.fixture
def supplier(merchant):
    return _member(merchant, Membership.Role.SUPPLIER, "supplier")


@pytest.fixture
def other_store(db):
    return StoreFactory(name="Other Merchant Store", webhook_secret="other-secret")


@pytest.fixture
def other_merchant_staff(other_store):
    return _member(other_store.merchant, Membership.Role.STAFF, "other-staff")


@pytest.fixture
def customer(merchant):
    user = UserFactory(username="customer")
    return CustomerFactory(merchant=merchant, user=user, email=user.email)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_api(api_client, staff_user):
    api_client.force_authenticate(staff_user)
    return api_client
