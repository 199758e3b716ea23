"""Every write of the portal's own records: the customer's contact details (an
email change goes through verification) and their delivery addresses, one of them
the default. One function per use case, in a transaction, audited; the audit keeps
which fields changed, never their values."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Customer
from orders.phones import normalize_phone
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError
from portal.models import DeliveryAddress

ADDRESS_FIELDS = (
    "label",
    "name",
    "company",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
)


@dataclass(frozen=True)
class ProfileChange:
    changed: list[str]
    email_to_verify: str = ""  # the new address, waiting for its verification


def profile_update(
    *, customer: Customer, actor: Actor, name: str, phone: str, email: str
) -> ProfileChange:
    """Name and phone change at once; a new email address only once verified (the
    caller sends the verification, see portal.receivers)."""
    phone = clean_phone(phone, region=default_region(customer))
    email = (email or "").strip()
    email_to_verify = ""
    if email and email.lower() != (customer.email or "").lower():
        email_check_free(email, user=actor)
        email_to_verify = email
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        changed = [
            field
            for field, value in (("name", name.strip()), ("phone", phone))
            if getattr(locked, field) != value
        ]
        if changed:
            locked.name, locked.phone = name.strip(), phone
            locked.save(update_fields=changed)
            customer.name, customer.phone = locked.name, locked.phone
        if changed or email_to_verify:
            audit(
                "profile.updated",
                actor=actor,
                target=customer,
                merchant_id=customer.merchant_id,
                fields=changed + (["email"] if email_to_verify else []),
                email_pending_verification=bool(email_to_verify),
            )
    return ProfileChange(changed=changed, email_to_verify=email_to_verify)


def profile_email_confirmed(*, email_address) -> None:
    """A portal customer verified an address: it becomes their sign-in (primary,
    the user's email) and the customer's email; their other addresses go."""
    user = email_address.user
    customer = Customer.objects.filter(user=user).first()
    if customer is None:
        return
    with transaction.atomic():
        email_address.set_as_primary()
        type(email_address).objects.filter(user=user).exclude(
            pk=email_address.pk
        ).delete()
        email_changed = customer.email.lower() != email_address.email.lower()
        if email_changed:
            customer.email = email_address.email
            customer.save(update_fields=["email"])
        audit(
            "profile.email_verified",
            actor=user,
            target=customer,
            merchant_id=customer.merchant_id,
            fields=["email"] if email_changed else [],
        )


def email_check_free(email: str, *, user) -> None:
    from allauth.account.models import EmailAddress

    taken = (
        get_user_model()
        .objects.filter(email__iexact=email)
        .exclude(pk=user.pk)
        .exists()
        or EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists()
    )
    if taken:
        raise ApplicationError(
            _("This email address belongs to another account."),
            fields={"email": [_("This email address belongs to another account.")]},
        )


def clean_phone(raw: str, *, region: str | None = None) -> str:
    try:
        return normalize_phone(raw, region)
    except ValueError as exc:
        message = _(
            "%(problem)s Write it with the country code, e.g. +46 70 123 45 67."
        ) % {"problem": exc}
        raise ApplicationError(message, fields={"phone": [message]}) from exc


def default_region(customer: Customer) -> str | None:
    """Where a phone number without a country code is read: the country of the
    customer's default delivery address."""
    address = customer.delivery_addresses.filter(is_default=True).first()
    return address.country if address else None


# --- Delivery addresses ---------------------------------------------------------


def address_create(*, customer: Customer, actor: Actor, data: dict) -> DeliveryAddress:
    """A new address; the customer's first is their default, and one saved with
    `is_default` takes the default from the others."""
    fields = _address_fields(data)
    with transaction.atomic():
        _lock(customer)
        has_default = customer.delivery_addresses.filter(is_default=True).exists()
        make_default = bool(data.get("is_default")) or not has_default
        if make_default:
            customer.delivery_addresses.filter(is_default=True).update(is_default=False)
        address = DeliveryAddress.objects.create(
            customer=customer, is_default=make_default, **fields
        )
        _audit("profile.address_created", address, actor, fields=sorted(fields))
    return address


def address_update(*, address: DeliveryAddress, actor: Actor, data: dict) -> list[str]:
    """Change the address's fields (and, with `is_default`, make it the default),
    in one transaction; returns the names of the fields that changed."""
    fields = _address_fields(data)
    with transaction.atomic():
        _lock(address.customer)
        stored = DeliveryAddress.objects.get(pk=address.pk)
        changed = [
            name for name, value in fields.items() if getattr(stored, name) != value
        ]
        if changed:
            for name in changed:
                setattr(stored, name, fields[name])
            stored.save(update_fields=changed)
            _audit("profile.address_updated", stored, actor, fields=changed)
        for name in ADDRESS_FIELDS:
            setattr(address, name, getattr(stored, name))
        if data.get("is_default"):
            address_make_default(address=address, actor=actor)
    return changed


def address_delete(*, address: DeliveryAddress, actor: Actor) -> None:
    """Remove the address; when it was the default, the newest other one becomes
    the default."""
    customer = address.customer
    with transaction.atomic():
        _lock(customer)
        _audit(
            "profile.address_deleted", address, actor, was_default=address.is_default
        )
        was_default = address.is_default
        address.delete()
        if was_default:
            successor = customer.delivery_addresses.order_by(
                "-created_at", "-id"
            ).first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])


def address_make_default(*, address: DeliveryAddress, actor: Actor) -> DeliveryAddress:
    with transaction.atomic():
        _lock(address.customer)
        if not address.is_default:
            address.customer.delivery_addresses.filter(is_default=True).update(
                is_default=False
            )
            address.is_default = True
            address.save(update_fields=["is_default"])
            _audit("profile.address_made_default", address, actor)
    return address


def _address_fields(data: dict) -> dict:
    fields = {name: (data.get(name) or "").strip() for name in ADDRESS_FIELDS}
    missing = [
        name
        for name in ("name", "line1", "postal_code", "city", "country")
        if not fields[name]
    ]
    if missing:
        raise ApplicationError(
            _("Fill in the address's name, street, postal code, city and country."),
            fields={name: [_("This field is required.")] for name in missing},
        )
    fields["country"] = fields["country"].upper()
    if len(fields["country"]) != 2 or not fields["country"].isalpha():
        raise ApplicationError(
            _("The country is a two-letter code, e.g. SE."),
            fields={"country": [_("Two letters, e.g. SE.")]},
        )
    fields["phone"] = clean_phone(fields["phone"], region=fields["country"])
    return fields


def _lock(customer: Customer) -> None:
    """One writer of a customer's addresses at a time (the one-default rule)."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()


def _audit(action: str, address: DeliveryAddress, actor: Actor, **data) -> None:
    audit(
        action,
        actor=actor,
        target=address,
        merchant_id=address.customer.merchant_id,
        **data,
    )
