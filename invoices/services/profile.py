"""Writes to a merchant's billing profile (workspace.settings), with the actor and
audited; the Stripe signing secret is revealed to a person only through
`billing_profile_reveal_stripe_secret`, which audits it."""

from invoices.models import BillingProfile
from invoices.services.common import billing_profile
from orders.models import Merchant
from performile.actors import Actor
from performile.audit import audit
from performile.edits import settings_update

PROFILE_FIELDS = (
    "legal_name",
    "address",
    "vat_number",
    "email",
    "invoice_prefix",
    "credit_note_prefix",
    "number_digits",
    "payment_terms_days",
    "default_tax_rate",
    "prices_include_tax",
    "payment_instructions",
    "stripe_webhook_secret",
)


def billing_profile_update(
    *, merchant: Merchant, actor: Actor, values: dict
) -> list[str]:
    """Write the changed settings (the profile is made on first use); the names
    of those that changed."""
    profile = billing_profile(merchant)
    return settings_update(
        profile,
        values,
        allowed=PROFILE_FIELDS,
        action="billing_profile.updated",
        actor=actor,
        merchant_id=merchant.pk,
    )


def billing_profile_reveal_stripe_secret(
    *, profile: BillingProfile, actor: Actor
) -> str:
    audit(
        "billing_profile.stripe_secret_revealed",
        actor=actor,
        target=profile,
        merchant_id=profile.merchant_id,
    )
    return profile.stripe_webhook_secret
