"""The customer's profile: contact details (a new email address is verified
before it becomes the sign-in), notification preferences, the password link, and
the delivery addresses (portal.views.addresses). Thin: parse, call one service,
render."""

from allauth.account.models import EmailAddress
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from messaging import services as messaging_services
from messaging.notifications import notification_preference
from messaging.services.preferences import PREFERENCE_FIELDS
from orders.languages import customer_language, writing_to
from orders.services import customer_language_set
from performile.errors import ApplicationError
from performile.forms import add_service_error, run_service
from portal import services
from portal.profile_forms import (
    ContactDetailsForm,
    LanguageForm,
    NotificationPreferenceForm,
)
from portal.views.common import customer_required
from privacy.models import PrivacyRequest
from privacy.selectors import privacy_request_current


@customer_required
@require_safe
def profile_view(request):
    return _profile_page(request)


@customer_required
@require_POST
def profile_contact_view(request):
    form = ContactDetailsForm(request.POST)
    if form.is_valid():
        try:
            change = services.profile_update(
                customer=request.customer, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            if change.email_to_verify:
                send_verification(request, change.email_to_verify)
                flash.info(
                    request,
                    _(
                        "We sent a link to %(new)s. Your sign-in stays %(current)s"
                        " until you confirm the new address."
                    )
                    % {"new": change.email_to_verify, "current": request.user.email},
                )
            if change.changed or not change.email_to_verify:
                flash.success(request, _("Your contact details are saved."))
            return redirect(f"{reverse('portal:profile')}#contact")
    return _profile_page(request, contact_form=form, status=400)


@customer_required
@require_POST
def profile_verify_view(request):
    """Send (again) the verification of the address waiting for it, or of the
    sign-in address itself when that was never verified."""
    pending = _email_state(request.user)["pending"]
    email = pending.email if pending else request.user.email
    if not email:
        flash.error(request, _("There is no email address to verify."))
    else:
        send_verification(request, email)
        flash.info(
            request, _("We sent a verification link to %(email)s.") % {"email": email}
        )
    return redirect(reverse("portal:profile"))


@customer_required
@require_POST
def profile_notifications_view(request):
    form = NotificationPreferenceForm(request.POST)
    saved = run_service(
        form,
        lambda data: messaging_services.notification_preferences_update(
            customer=request.customer, actor=request.user, **data
        ),
    )
    if saved is None:
        return _profile_page(request, notifications_form=form, status=400)
    flash.success(request, _("Your notification preferences are saved."))
    return redirect(f"{reverse('portal:profile')}#notifications")


@customer_required
@require_POST
def profile_language_view(request):
    form = LanguageForm(request.POST)
    if form.is_valid():
        try:
            customer_language_set(
                customer=request.customer,
                actor=request.user,
                language=form.cleaned_data["language"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            # Said in the language chosen, as the next page will be.
            with writing_to(customer_language(request.customer)):
                flash.success(request, _("Your language is saved."))
            return redirect(f"{reverse('portal:profile')}#language")
    return _profile_page(request, language_form=form, status=400)


def send_verification(request, email: str) -> None:
    """allauth's verification email for `email` (added to the user's addresses,
    unverified, if new)."""
    user = request.user
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.add_email(request, user, email, confirm=True)
    elif not address.verified:
        address.send_confirmation(request)


def _email_state(user) -> dict:
    current = (user.email or "").lower()
    addresses = list(EmailAddress.objects.filter(user=user).order_by("-id"))
    verified = any(a.verified and a.email.lower() == current for a in addresses)
    pending = next(
        (a for a in addresses if not a.verified and a.email.lower() != current), None
    )
    return {"current_verified": verified or not current, "pending": pending}


def _profile_page(
    request,
    *,
    contact_form=None,
    notifications_form=None,
    language_form=None,
    status=200,
):
    customer = request.customer
    preference = notification_preference(customer=customer)
    context = {
        "contact_form": contact_form
        or ContactDetailsForm(
            initial={
                "name": customer.name,
                "phone": customer.phone,
                "email": customer.email or request.user.email,
            }
        ),
        "notifications_form": notifications_form
        or NotificationPreferenceForm(
            initial={name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        ),
        "language_form": language_form
        or LanguageForm(initial={"language": customer.language}),
        "email_state": _email_state(request.user),
        "addresses": list(customer.delivery_addresses.all()),
        "erasure_request": privacy_request_current(
            customer, PrivacyRequest.Kind.ERASURE
        ),
    }
    return render(request, "portal/profile.html", context, status=status)
