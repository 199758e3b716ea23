"""The merchant's team (workspace.settings): invite someone by email, change a
member's role, remove a member. Every write with the actor, audited; a merchant
always keeps at least one admin."""

from django.db import transaction

from orders.models import Membership, Merchant, Store
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError
from performile.invitations import account_for_email, team_invitation_enqueue

Role = Membership.Role


def membership_invite(
    *,
    merchant: Merchant,
    email: str,
    role: str,
    actor: Actor,
    name: str = "",
    stores: list[Store] = (),
) -> Membership:
    """Make `email` a member with `role`: their account (a new one has no
    password yet) and an email to set one, queued in this transaction."""
    with transaction.atomic():
        user, created = account_for_email(email, name=name)
        if Membership.objects.filter(user=user, merchant=merchant).exists():
            raise ApplicationError(
                f"{email} is already in the team.",
                fields={"email": ["Already a member."]},
            )
        membership = Membership.objects.create(user=user, merchant=merchant, role=role)
        _set_stores(membership, stores)
        team_invitation_enqueue(
            user=user,
            subject=f"You are invited to {merchant.name} on Performile",
            intro=f"{_name(actor)} added you to {merchant.name}'s team on"
            f" Performile as {membership.get_role_display().lower()}.",
        )
        audit(
            "membership.invited",
            actor=actor,
            target=membership,
            merchant_id=merchant.pk,
            role=role,
            new_account=created,
        )
    return membership


def membership_change_role(
    *, membership: Membership, role: str, actor: Actor, stores: list[Store] = ()
) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            _keep_an_admin(membership)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _set_stores(membership, stores)
        audit(
            "membership.role_changed",
            actor=actor,
            target=membership,
            merchant_id=membership.merchant_id,
            role=role,
            previous=previous,
        )
    return membership


def membership_remove(*, membership: Membership, actor: Actor) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.ADMIN:
            _keep_an_admin(membership)
        audit(
            "membership.removed",
            actor=actor,
            target=membership,
            merchant_id=membership.merchant_id,
            user_id=membership.user_id,
            role=membership.role,
        )
        membership.delete()


def _keep_an_admin(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(merchant_id=membership.merchant_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ApplicationError(
            "A merchant keeps at least one admin: make someone else admin first.",
            fields={"role": ["The last admin."]},
        )


def _set_stores(membership: Membership, stores) -> None:
    """A reseller's stores (of the membership's merchant); nobody else has any."""
    if membership.role != Role.RESELLER:
        membership.stores.clear()
        return
    own = [store for store in stores if store.merchant_id == membership.merchant_id]
    if not own:
        raise ApplicationError(
            "A reseller owns at least one store.",
            fields={"stores": ["Choose the reseller's stores."]},
        )
    membership.stores.set(own)


def _name(actor: Actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "Your merchant"
    return actor.get_full_name() or actor.get_username()
