"""Forms of the shipment modals: booking details (step 2), filing a claim. The
services decide; these parse."""

from decimal import Decimal

from django import forms

from orders.forms import AmountField
from shipments.claims import MAX_PHOTOS
from shipments.couriers.base import ServiceType
from shipments.models import Claim
from shipments.services import PARCEL_SIZES, shipment_defaults

ADDRESS_FIELDS = ("name", "line1", "line2", "postal_code", "city", "country", "phone")


def _address_fields(prefix: str) -> dict:
    return {
        f"{prefix}_name": forms.CharField(max_length=200, label="Name"),
        f"{prefix}_line1": forms.CharField(max_length=200, label="Address"),
        f"{prefix}_line2": forms.CharField(
            max_length=200, required=False, label="Address line 2"
        ),
        f"{prefix}_postal_code": forms.CharField(max_length=20, label="Postal code"),
        f"{prefix}_city": forms.CharField(max_length=100, label="City"),
        f"{prefix}_country": forms.CharField(
            min_length=2,
            max_length=2,
            label="Country",
            help_text="Two letters, e.g. SE",
            widget=forms.TextInput({"size": 2}),
        ),
        f"{prefix}_phone": forms.CharField(
            max_length=30, required=False, label="Phone"
        ),
    }


class BookingDetailsForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)
    service_code = forms.CharField(max_length=64, widget=forms.HiddenInput)
    service_type = forms.ChoiceField(
        choices=ServiceType.CHOICES, widget=forms.HiddenInput
    )
    weight_kg = forms.DecimalField(
        min_value=Decimal("0.001"), max_digits=8, decimal_places=3, label="Weight (kg)"
    )
    length_cm = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        required=False,
        label="Length (cm)",
    )
    width_cm = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        required=False,
        label="Width (cm)",
    )
    height_cm = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        required=False,
        label="Height (cm)",
    )
    parcels = forms.IntegerField(min_value=1, max_value=20, initial=1, label="Parcels")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "book_%s")
        super().__init__(*args, **kwargs)
        self.fields.update(_address_fields("sender"))
        self.fields.update(_address_fields("recipient"))

    @classmethod
    def initial_for(cls, order, *, account, service_code, service_type) -> dict:
        defaults = shipment_defaults(order)
        parcel = defaults["parcels"][0]
        initial = {
            "account": account,
            "service_code": service_code,
            "service_type": service_type,
            "weight_kg": parcel["weight_kg"],
            **{name: parcel[name] or None for name in PARCEL_SIZES},
            "parcels": len(defaults["parcels"]),
        }
        for prefix in ("sender", "recipient"):
            address = defaults[prefix]
            initial.update(
                {f"{prefix}_{name}": address.get(name, "") for name in ADDRESS_FIELDS}
            )
        return initial

    @property
    def sender_fields(self):
        return [self[f"sender_{name}"] for name in ADDRESS_FIELDS]

    @property
    def recipient_fields(self):
        return [self[f"recipient_{name}"] for name in ADDRESS_FIELDS]

    def address(self, prefix: str) -> dict:
        data = self.cleaned_data
        values = {name: data[f"{prefix}_{name}"] for name in ADDRESS_FIELDS}
        values["country"] = values["country"].upper()
        return values

    def parcel_list(self) -> list[dict]:
        data = self.cleaned_data
        parcel = {
            "weight_kg": data["weight_kg"],
            **{name: data[name] or Decimal("0") for name in PARCEL_SIZES},
        }
        return [parcel] * data["parcels"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files (the service checks how many, and that they are photos)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput({"multiple": True, "accept": "image/*"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        clean_one = super().clean
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [clean_one(file, initial) for file in files]


class ClaimFileForm(forms.Form):
    reason = forms.ChoiceField(choices=Claim.Reason.choices)
    amount = AmountField(
        label="Amount claimed", help_text="The value lost or damaged, e.g. 249.00."
    )
    currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        error_messages={"invalid": "Use the three-letter currency code, e.g. EUR."},
        widget=forms.TextInput({"maxlength": 3}),
    )
    description = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(
            {"rows": 4, "placeholder": "What happened to the parcel and its contents"}
        ),
    )
    photos = PhotosField(
        required=False,
        help_text=f"Up to {MAX_PHOTOS} photos of the parcel and its contents.",
    )

    def __init__(self, *args, order, **kwargs):
        kwargs.setdefault("initial", {"currency": order.currency})
        kwargs.setdefault("auto_id", "claim_%s")
        super().__init__(*args, **kwargs)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self):
        cleaned = super().clean()
        amount, named = cleaned.get("amount") or (None, None)
        currency = cleaned.get("currency")
        if amount is not None and amount <= 0:
            self.add_error("amount", "Claim an amount above zero.")
        elif named and currency and named != currency:
            self.add_error(
                "amount", f"This amount is in {named}, but the currency is {currency}."
            )
        return cleaned

    def claim_values(self) -> dict:
        """Keyword arguments of claims.claim_file, but the shipment and the actor."""
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "description": data["description"],
            "amount": data["amount"][0],
            "currency": data["currency"],
            "photos": data["photos"],
        }
