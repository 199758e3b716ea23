"""Customers sign in with their email or their customer number (C12345678)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from orders.models import Customer


class CustomerNumberBackend(ModelBackend):
    """Django's password check, finding the user by a portal customer's number.
    (Email and username sign-in are allauth's backend.)"""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or "@" in username:
            return None
        customer = (
            Customer.objects.select_related("user")
            .filter(customer_number__iexact=username.strip())
            .exclude(user=None)
            .first()
        )
        if customer is None:
            # Spend the time of a password check, as ModelBackend does, so a
            # number's existence does not show in the answer's timing.
            get_user_model()().set_password(password)
            return None
        user = customer.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def account_id(self, login: str) -> int | None:
        """The account a customer number names (for the per-account lockout,
        performile.accounts)."""
        return (
            Customer.objects.filter(customer_number__iexact=login.strip())
            .exclude(user=None)
            .values_list("user_id", flat=True)
            .first()
        )
