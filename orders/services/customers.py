"""The merchant's customers as the orders services find or make them."""

from django.db import transaction
from django.utils.translation import gettext as _

from orders.customers import Identity, customer_for_order
from orders.ingestion.incoming import IncomingCustomer
from orders.languages import CODES
from orders.models import Customer
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError


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


def customer_language_set(*, customer: Customer, actor: Actor, language: str) -> bool:
    """The language the customer is written to ("" for their store's), chosen by
    them in the portal or by the team. False when it was theirs already;
    ApplicationError, nothing changed, for a language we do not write in."""
    if language and language not in CODES:
        raise ApplicationError(
            _("We do not write in that language."),
            fields={"language": [_("Choose one of the languages listed.")]},
        )
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.language == language:
            return False
        locked.language = customer.language = language
        locked.save(update_fields=["language"])
        audit(
            "customer.language_changed",
            actor=actor,
            target=customer,
            merchant_id=customer.merchant_id,
            language=language or "store",
        )
    return True
