"""The portal's profile forms. They check the shape of the input; the rules that
need the database (a free email address, one default address) are the services'."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.models import DeliveryAddress
from portal.services import ADDRESS_FIELDS


class ContactDetailsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("With the country code, e.g. +46 70 123 45 67."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_(
            "A new address is used once you confirm it from the email we send."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LanguageForm(forms.Form):
    """English, Svenska, Norsk, Dansk (each named in itself), or the store's."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The shop's language"))] + list(settings.LANGUAGES),
        help_text=_("The language of this portal and of what we send you."),
    )


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class NotificationPreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Email"), required=False)
    sms = forms.BooleanField(label="SMS", required=False)
    whatsapp = forms.BooleanField(label="WhatsApp", required=False)
    order_updates = forms.BooleanField(
        label=_("Order updates"),
        required=False,
        help_text=_("Confirmed, in progress, complete, cancelled…"),
    )
    shipping_updates = forms.BooleanField(
        label=_("Shipping updates"),
        required=False,
        help_text=_("Your parcel is booked, on its way, out for delivery, delivered."),
    )
    quiet_hours = forms.BooleanField(
        label=_("No texts or WhatsApp messages at night"),
        required=False,
        help_text=_("They wait until the quiet hours end; emails come at once."),
    )
    quiet_start = forms.TypedChoiceField(
        label=_("Quiet from"), choices=HOURS, coerce=int, initial=21
    )
    quiet_end = forms.TypedChoiceField(
        label=_("until"), choices=HOURS, coerce=int, initial=8
    )


class AddressForm(forms.ModelForm):
    is_default = forms.BooleanField(
        label=_("Use as my default address"), required=False
    )

    class Meta:
        model = DeliveryAddress
        fields = list(ADDRESS_FIELDS)
        labels = {
            "label": _("Label"),
            "name": _("Name"),
            "company": _("Company"),
            "line1": _("Address"),
            "line2": _("Address line 2"),
            "postal_code": _("Postal code"),
            "city": _("City"),
            "region": _("Region"),
            "country": _("Country"),
            "phone": _("Phone"),
        }
        help_texts = {
            "label": _("Home, Office, Restaurant…"),
            "country": _("ISO 3166 code, e.g. SE."),
        }
        widgets = {
            "country": forms.TextInput(
                attrs={"maxlength": 2, "autocomplete": "country", "size": 2}
            ),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Two letters, e.g. SE."))
        return country
