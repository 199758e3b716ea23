"""The merchant's team: members and roles, invitations by email (a set-password
email through the outbox), role changes, removal. A merchant keeps an admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from orders import services
from performile.errors import ApplicationError
from workspace.settings import selectors
from workspace.settings.forms import InviteForm, RoleForm
from workspace.settings.views.common import (
    FAILED,
    admin_only,
    current_merchant,
    merchant_query,
    page,
    saved,
    written,
)


def _team_url(request, merchant) -> str:
    return reverse("workspace:settings:team") + merchant_query(request, merchant)


@admin_only
@require_safe
def team_view(request):
    merchant = current_merchant(request)
    members = selectors.memberships_for_admin(request.user, merchant)
    return page(
        request,
        "workspace/settings/team.html",
        merchant=merchant,
        section="team",
        members=members,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def team_invite_view(request):
    merchant = current_merchant(request)
    stores = selectors.admin_stores(request.user, merchant)
    form = InviteForm(request.POST or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited = written(
            form,
            lambda: services.membership_invite(
                merchant=merchant,
                email=data["email"],
                name=data["name"],
                role=data["role"],
                stores=list(data["stores"]),
                actor=request.user,
            ),
        )
        if invited is not FAILED:
            text = f"Invitation sent to {data['email']}."
            return saved(request, text, _team_url(request, merchant))
    return page(
        request,
        "workspace/settings/invite.html",
        merchant=merchant,
        section="team",
        form=form,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def team_member_view(request, pk: int):
    membership = selectors.membership_get_for_admin(request.user, pk)
    merchant = membership.merchant
    stores = selectors.admin_stores(request.user, merchant)
    form = RoleForm(
        request.POST or None,
        initial={"role": membership.role, "stores": membership.stores.all()},
        stores=stores,
        prefix=f"m{membership.pk}",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = written(
            form,
            lambda: services.membership_change_role(
                membership=membership,
                role=data["role"],
                stores=list(data["stores"]),
                actor=request.user,
            ),
        )
        if changed is not FAILED:
            name = membership.user.get_full_name() or membership.user.get_username()
            return saved(request, f"{name}'s role saved.", _team_url(request, merchant))
    return page(
        request,
        "workspace/settings/member.html",
        merchant=merchant,
        section="team",
        membership=membership,
        form=form,
    )


@admin_only
@require_POST
def team_remove_view(request, pk: int):
    membership = selectors.membership_get_for_admin(request.user, pk)
    merchant = membership.merchant
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("workspace:settings:member", args=[pk]))
    name = membership.user.get_full_name() or membership.user.get_username()
    return saved(
        request, f"{name} removed from the team.", _team_url(request, merchant)
    )
