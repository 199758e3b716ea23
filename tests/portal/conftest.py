import pytest
from django.core.cache import cache

from tests.factories import CustomerFactory, UserFactory

PASSWORD = "pw-secret-123"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts failed sign-ins in the cache (Redis): start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_user(merchant):
    user = UserFactory(username="anna", email="anna@example.com")
    CustomerFactory(
        merchant=merchant,
        user=user,
        email=user.email,
        name="Anna Berg",
        customer_number="C10000001",
    )
    return user


@pytest.fixture
def portal_customer(portal_user):
    return portal_user.customer


@pytest.fixture
def other_portal_user(merchant):
    user = UserFactory(username="olle", email="olle@example.com")
    CustomerFactory(
        merchant=merchant,
        user=user,
        email=user.email,
        name="Olle Ek",
        customer_number="C10000002",
    )
    return user


@pytest.fixture
def portal(client, portal_user):
    """A client signed in as the portal customer."""
    client.force_login(portal_user)
    return client
