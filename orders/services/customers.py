"""The merchant's customers as the orders services find or make them."""

from orders.customers import Identity, customer_for_order
from orders.ingestion.incoming import IncomingCustomer
from orders.models import Customer


def customer_get_or_create(
    *,
    merchant_id: int,
    name: str = "",
    email: str = "",
    phone: str = "",
    discord_user_id: str = "",
) -> Customer | None:
    """The merchant's customer by the rules of orders.customers (docs/customers.md);
    new if none. None when nothing identifies anyone."""
    return customer_for_order(
        merchant_id,
        Identity.clean(
            name=name, email=email, phone=phone, discord_user_id=discord_user_id
        ),
    )


def webshop_identity(customer: IncomingCustomer | None) -> Identity:
    if customer is None:
        return Identity()
    return Identity.clean(
        name=customer.name, email=customer.email, phone=customer.phone
    )
