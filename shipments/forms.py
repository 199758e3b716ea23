"""The booking modal's details form (step 2). The service decides; this parses."""

from decimal import Decimal

from django import forms

from shipments.couriers.base import ServiceType
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
