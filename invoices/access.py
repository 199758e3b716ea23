"""Who may do what with billing, from `orders.access`'s reaches.

- Reading: `billing_scope` (invoices.selectors): what `visible_orders` gives,
  less the suppliers' reaches: suppliers fulfil orders and never see billing.
- The invoice pages: billing staff, the people whose reach is whole stores
  (merchant staff, admins and resellers).
- Changing billing (issuing, payments, credit notes, voids, allocating a
  payment): the merchant's staff and admins. The services check it themselves
  (`ensure_may_manage`), for every caller; the actor None is the system (a
  provider's webhook, the monthly run, settling a cancelled order).
- Statements: the merchant's staff and admins, and the customer their own.
"""

from orders import access
from orders.models import Customer
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.errors import NotAllowed

CHANGE_REFUSED = "Only the merchant's staff change invoices."


def billing_reaches(user) -> tuple[access.Reach, ...]:
    """The user's reaches without the suppliers'."""
    return tuple(reach for reach in access.reaches(user) if reach.supplier_id is None)


def is_billing_staff(user) -> bool:
    """Merchant staff, admins and resellers: the people of the invoice pages."""
    return access.is_signed_in(user) and any(
        reach.whole_stores for reach in access.member_reaches(user)
    )


def may_manage_billing(user, merchant_id: int) -> bool:
    """Payments, credit notes, voids and issuing: the merchant's staff and admins
    (and superusers)."""
    return merchant_is_managed_by(user, merchant_id)


def may_manage(user, invoice) -> bool:
    return may_manage_billing(user, invoice.merchant_id)


def ensure_may_manage(
    actor: Actor, merchant_id: int, message: str = CHANGE_REFUSED
) -> None:
    """Refuse (NotAllowed: a 403) a person who may not change the merchant's
    billing; the system (actor None) may."""
    if actor is not None and not may_manage_billing(actor, merchant_id):
        raise NotAllowed(message)


def may_generate_statement(user, customer: Customer) -> bool:
    """The merchant's staff and admins, or the customer's own account."""
    if customer.user_id is not None and customer.user_id == user.pk:
        return True
    return may_manage_billing(user, customer.merchant_id)


def ensure_may_generate_statement(actor: Actor, customer: Customer) -> None:
    if actor is not None and not may_generate_statement(actor, customer):
        raise NotAllowed("Only the merchant's staff and the customer get statements.")
