"""Forms of the Orders view. They parse and validate input; services decide."""

from decimal import Decimal

from django import forms

from orders import selectors
from orders.models import TEAM_ROLES, Membership
from orders.money import order_currency, parse_amount
from orders.phones import normalize_phone
from orders.services import INITIAL_STATUSES
from orders.state_machine import OrderStatus, label

ADDRESS_FIELDS = ("name", "line1", "line2", "postal_code", "city", "country", "phone")
PACKAGE_FIELDS = ("weight_kg", "length_cm", "width_cm", "height_cm")


class AmountField(forms.CharField):
    """Money as it is typed ("$150.00", "150", "1 234,50 kr"); cleans to
    (amount, the currency the text names or None)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput({"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value) -> tuple[Decimal, str | None] | None:
        raw = super().clean(value)
        if not raw:
            return None
        try:
            return parse_amount(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DeliveryAddressForm(forms.Form):
    """The delivery address fields (`address_<name>` for each of ADDRESS_FIELDS),
    shared by the new-order and edit-order forms."""

    address_name = forms.CharField(max_length=200, required=False, label="Recipient")
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    address_line2 = forms.CharField(
        max_length=200, required=False, label="Address line 2"
    )
    address_postal_code = forms.CharField(
        max_length=20, required=False, label="Postal code"
    )
    address_city = forms.CharField(max_length=100, required=False, label="City")
    address_country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        label="Country",
        help_text="Two letters, e.g. SE.",
        error_messages={"invalid": "Use the two-letter country code, e.g. SE."},
        widget=forms.TextInput({"maxlength": 2, "placeholder": "SE"}),
    )
    address_phone = forms.CharField(max_length=30, required=False, label="Phone")

    def clean_address_country(self) -> str:
        return self.cleaned_data["address_country"].upper()

    def address_values(self) -> dict:
        return {name: self.cleaned_data[f"address_{name}"] for name in ADDRESS_FIELDS}


class OrderCreateForm(DeliveryAddressForm):
    # The address fields (inherited) come after the customer's.
    field_order = [
        "store",
        "order_number",
        "status",
        "amount",
        "payment_method",
        "service",
        "notes",
        "customer_name",
        "customer_email",
        "customer_phone",
    ]

    store = forms.ModelChoiceField(queryset=None, empty_label=None)
    order_number = forms.CharField(
        max_length=64,
        label="Order number",
        required=False,
        help_text="Leave empty for the store's next number.",
        widget=forms.TextInput({"autofocus": True}),
    )
    status = forms.ChoiceField(
        label="Start as",
        choices=[(s, label(s)) for s in INITIAL_STATUSES],
        initial=OrderStatus.PENDING,
    )
    amount = forms.CharField(
        max_length=40,
        required=False,
        help_text="“$150.00” or “150”; without a currency, the store's is used.",
        widget=forms.TextInput({"placeholder": "$150.00", "inputmode": "decimal"}),
    )
    payment_method = forms.CharField(max_length=50, required=False)
    service = forms.CharField(
        max_length=200,
        required=False,
        help_text="For service orders only; leave empty for parcels.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea({"rows": 3}))

    customer_name = forms.CharField(max_length=200, required=False, label="Name")
    customer_email = forms.EmailField(required=False, label="Email")
    customer_phone = forms.CharField(max_length=30, required=False, label="Phone")

    weight_kg = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=3, label="Weight (kg)"
    )
    length_cm = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=1, label="Length (cm)"
    )
    width_cm = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=1, label="Width (cm)"
    )
    height_cm = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=1, label="Height (cm)"
    )

    tracking_number = forms.CharField(
        max_length=64, required=False, label="Tracking number"
    )
    courier = forms.CharField(
        max_length=64,
        required=False,
        widget=forms.TextInput({"placeholder": "PostNord, Bring, DHL…"}),
    )
    tracking_url = forms.URLField(
        max_length=500, required=False, label="Tracking link", assume_scheme="https"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = selectors.user_stores(user)

    def clean_amount(self) -> tuple[Decimal, str | None]:
        raw = self.cleaned_data["amount"].strip()
        if not raw:
            return Decimal("0.00"), None
        try:
            return parse_amount(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("address_country") or None
        for name in ("customer_phone", "address_phone"):
            try:
                cleaned[name] = normalize_phone(cleaned.get(name, ""), region)
            except ValueError as exc:
                self.add_error(name, f"{exc} Include the country code, e.g. +46.")
        has_contact = cleaned.get("customer_email") or cleaned.get("customer_phone")
        if cleaned.get("customer_name") and not has_contact and not self.errors:
            self.add_error(
                "customer_email", "Add an email or a phone number to save the customer."
            )
        if cleaned.get("tracking_url") and not cleaned.get("tracking_number"):
            self.add_error("tracking_number", "Add the number the link tracks.")
        return cleaned

    def customer_values(self) -> dict | None:
        data = self.cleaned_data
        if not (data["customer_email"] or data["customer_phone"]):
            return None
        return {
            "name": data["customer_name"],
            "email": data["customer_email"],
            "phone": data["customer_phone"],
        }

    def order_values(self) -> dict:
        """Keyword arguments of services.order_create, but the customer."""
        data = self.cleaned_data
        amount, currency = data["amount"]
        address = self.address_values()
        package = {name: data[name] for name in PACKAGE_FIELDS}
        return {
            "store": data["store"],
            "order_number": data["order_number"],
            "status": data["status"],
            "amount": amount,
            "currency": order_currency(data["store"], currency),
            "delivery_address": {k: v for k, v in address.items() if v},
            # JSON has no decimal type; strings keep the exact value (like the API).
            "package": {k: str(v) for k, v in package.items() if v is not None},
            **{
                name: data[name]
                for name in (
                    "service",
                    "payment_method",
                    "notes",
                    "tracking_number",
                    "courier",
                    "tracking_url",
                )
            },
        }


class StatusChangeForm(forms.Form):
    # Any known status validates: the state machine (in the service) is the judge,
    # so a stale form gets its explanation rather than "not a valid choice".
    status = forms.ChoiceField(choices=OrderStatus.choices, label="New status")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            {"rows": 2, "placeholder": "Optional note for the timeline"}
        ),
    )

    def __init__(self, *args, order, **kwargs):
        kwargs.setdefault("auto_id", "change_%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = [
            ("", "Choose a status…"),
            *((status, label(status)) for status in order.allowed_statuses),
        ]


class OrderEditForm(DeliveryAddressForm):
    """The details of an existing order a person may correct (status, tracking and
    assignment have their own doors)."""

    field_order = ["service", "payment_method", "amount", "currency", "notes"]

    service = forms.CharField(
        max_length=200,
        required=False,
        help_text="For service orders only; leave empty for parcels.",
    )
    payment_method = forms.CharField(max_length=50, required=False)
    amount = AmountField(help_text="“150.00”, “$150” or “1 234,50 kr”.")
    currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        label="Currency",
        error_messages={"invalid": "Use the three-letter currency code, e.g. EUR."},
        widget=forms.TextInput({"maxlength": 3, "placeholder": "EUR"}),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, order, **kwargs):
        address = order.delivery_address or {}
        kwargs.setdefault(
            "initial",
            {
                "service": order.service,
                "payment_method": order.payment_method,
                "amount": f"{order.amount:.2f}",
                "currency": order.currency,
                "notes": order.notes,
                **{f"address_{k}": address.get(k, "") for k in ADDRESS_FIELDS},
            },
        )
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)
        self.order = order

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean_notes(self) -> str:
        # Browsers send a textarea's line breaks as CRLF: not a change of the notes.
        return self.cleaned_data["notes"].replace("\r\n", "\n")

    def clean_address_phone(self) -> str:
        raw = self.cleaned_data["address_phone"]
        if raw == self.initial.get("address_phone"):
            return raw  # as the webshop sent it: keep, even when not normalizable
        try:
            return normalize_phone(raw, self.cleaned_data.get("address_country"))
        except ValueError as exc:
            raise forms.ValidationError(
                f"{exc} Include the country code, e.g. +46."
            ) from exc

    def clean(self):
        cleaned = super().clean()
        amount, named = cleaned.get("amount") or (None, None)
        currency = cleaned.get("currency")
        if named and currency and named != currency:
            self.add_error(
                "amount", f"This amount is in {named}, but the currency is {currency}."
            )
        return cleaned

    def changes(self) -> dict:
        """The fields that differ from the order's, for services.order_update."""
        data = self.cleaned_data
        address = {**(self.order.delivery_address or {}), **self.address_values()}
        values = {
            "service": data["service"],
            "payment_method": data["payment_method"],
            "amount": data["amount"][0],
            "currency": data["currency"],
            "notes": data["notes"],
            # Keys this form does not show (company, region...) stay as they are.
            "delivery_address": {
                k: v for k, v in address.items() if v or k not in ADDRESS_FIELDS
            },
        }
        return {
            name: value
            for name, value in values.items()
            if getattr(self.order, name) != value
        }


class OrderDeleteForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason",
        help_text="Optional; kept on the order's timeline.",
        widget=forms.Textarea(
            {"rows": 2, "placeholder": "Duplicate of ORD-1042, test order…"}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "delete_%s")
        super().__init__(*args, **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    assigned_staff = MemberChoiceField(
        queryset=None, required=False, empty_label="Nobody", label="Staff"
    )
    supplier = MemberChoiceField(
        queryset=None, required=False, empty_label="Nobody", label="Supplier"
    )

    def __init__(self, *args, order, **kwargs):
        kwargs.setdefault(
            "initial",
            {"assigned_staff": order.assigned_staff_id, "supplier": order.supplier_id},
        )
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        Role = Membership.Role
        self.fields["assigned_staff"].queryset = selectors.merchant_members(
            order.merchant_id, *TEAM_ROLES
        )
        self.fields["supplier"].queryset = selectors.merchant_members(
            order.merchant_id, Role.SUPPLIER
        )
        self.order = order

    def changes(self) -> dict:
        """The assignees that differ from the order's, for services.order_assign."""
        return {
            name: user
            for name, user in self.cleaned_data.items()
            if getattr(self.order, f"{name}_id") != (user.pk if user else None)
        }
