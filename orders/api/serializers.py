from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, OrderEvent, OrderLine
from orders.money import parse_amount
from orders.phones import normalize_phone
from orders.services import INITIAL_STATUSES
from orders.state_machine import OrderStatus


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "number"}],
        "example": "150.00",
        "description": 'An amount: "$150.00", "150" or 150.',
    }
)
class AmountField(serializers.Field):
    """Accepts "$150.00", "150", 150; answers a string ("150.00")."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data):
        try:
            amount, currency = parse_amount(data)
        except ValueError as exc:
            self.fail("invalid", message=str(exc))
        return {"amount": amount, "currency": currency}

    def to_representation(self, value: Decimal):
        return f"{value:.2f}"


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class StoreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_number = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()


class BadgeSerializer(serializers.Serializer):
    label = serializers.CharField()
    tone = serializers.CharField()

    def to_representation(self, badge):
        label, tone = badge
        return {"label": label, "tone": tone}


class OrderListSerializer(serializers.ModelSerializer):
    store = StoreRefSerializer()
    customer = CustomerRefSerializer(allow_null=True)
    assigned_staff = UserRefSerializer(allow_null=True)
    supplier = UserRefSerializer(allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    amount = AmountField()
    badge = BadgeSerializer()
    has_tracking = serializers.BooleanField()
    can_book_shipment = serializers.BooleanField()
    can_track = serializers.BooleanField()
    has_label = serializers.BooleanField()
    can_file_claim = serializers.BooleanField()
    is_active = serializers.BooleanField()
    needs_action = serializers.BooleanField()
    delivery_progress = serializers.IntegerField(
        help_text="0 (nothing booked) to 4 (delivered)."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "order_number",
            "store",
            "source",
            "status",
            "status_display",
            "badge",
            "customer",
            "service",
            "payment_method",
            "amount",
            "currency",
            "tracking_number",
            "courier",
            "tracking_url",
            "tracking_status",
            "estimated_delivery",
            "tracking_event",
            "tracking_event_at",
            "label_url",
            "assigned_staff",
            "supplier",
            "placed_at",
            "created_at",
            "updated_at",
            *Order.FLAGS,
            "delivery_progress",
        ]

    def to_representation(self, order):
        # DRF's generic walk over these fields costs ~0.6 ms a row (inspect.signature
        # on every callable); a page is 25 rows. Same output, built directly; a test
        # compares it with the generic one.
        label, tone = order.badge
        customer = order.customer
        return {
            "id": order.pk,
            "order_number": order.order_number,
            "store": {"id": order.store_id, "name": order.store.name},
            "source": order.source,
            "status": order.status,
            "status_display": order.get_status_display(),
            "badge": {"label": label, "tone": tone},
            "customer": None
            if customer is None
            else {
                "id": customer.pk,
                "customer_number": customer.customer_number,
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
            },
            "service": order.service,
            "payment_method": order.payment_method,
            "amount": f"{order.amount:.2f}",
            "currency": order.currency,
            "tracking_number": order.tracking_number,
            "courier": order.courier,
            "tracking_url": order.tracking_url,
            "tracking_status": order.tracking_status,
            "estimated_delivery": _DATE.to_representation(order.estimated_delivery)
            if order.estimated_delivery
            else None,
            "tracking_event": order.tracking_event,
            "tracking_event_at": _DATETIME.to_representation(order.tracking_event_at)
            if order.tracking_event_at
            else None,
            "label_url": order.label_url,
            "assigned_staff": _user_ref(order.assigned_staff),
            "supplier": _user_ref(order.supplier),
            "placed_at": _DATETIME.to_representation(order.placed_at),
            "created_at": _DATETIME.to_representation(order.created_at),
            "updated_at": _DATETIME.to_representation(order.updated_at),
            **order.flags(),
            "delivery_progress": order.delivery_progress,
        }


_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


def _user_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = AmountField()
    total = AmountField(read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "kind",
            "sku",
            "title",
            "quantity",
            "unit_price",
            "tax_rate",
            "total",
        ]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = OrderEvent
        fields = [
            "id",
            "kind",
            "from_status",
            "to_status",
            "note",
            "actor",
            "data",
            "created_at",
        ]


class OrderDetailSerializer(OrderListSerializer):
    lines = OrderLineSerializer(many=True)
    events = OrderEventSerializer(many=True)
    allowed_statuses = serializers.ListField(child=serializers.CharField())
    created_by = UserRefSerializer(allow_null=True)
    updated_by = UserRefSerializer(allow_null=True)

    class Meta(OrderListSerializer.Meta):
        fields = [
            *OrderListSerializer.Meta.fields,
            "external_id",
            "tax_amount",
            "taxes_included",
            "shipping_method",
            "review_reason",
            "notes",
            "delivery_address",
            "package",
            "allowed_statuses",
            "created_by",
            "updated_by",
            "lines",
            "events",
        ]

    def to_representation(self, order):
        return serializers.ModelSerializer.to_representation(self, order)


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


def _size(decimal_places: int) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=decimal_places,
        min_value=Decimal("0"),
        required=False,
        coerce_to_string=False,
    )


class PackageSerializer(serializers.Serializer):
    weight_kg = _size(3)
    length_cm = _size(1)
    width_cm = _size(1)
    height_cm = _size(1)
    parcels = serializers.IntegerField(min_value=1, required=False)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    def validate_phone(self, value):
        try:
            return normalize_phone(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class CustomerMergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The customer who remains.")


class LineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    title = serializers.CharField(max_length=300)
    quantity = serializers.IntegerField(min_value=1, default=1)
    unit_price = AmountField(
        required=False, default={"amount": Decimal("0"), "currency": None}
    )


class OrderCreateSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    order_number = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Optional: without one, the store's next number.",
    )
    status = serializers.ChoiceField(
        choices=[(s, OrderStatus(s).label) for s in INITIAL_STATUSES],
        default=OrderStatus.PENDING,
    )
    customer = CustomerInputSerializer(required=False)
    service = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    payment_method = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    amount = AmountField(help_text='"$150.00", "150" or 150')
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    delivery_address = AddressSerializer(required=False, default=dict)
    package = PackageSerializer(required=False, default=dict)
    tracking_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    courier = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    tracking_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    lines = LineInputSerializer(many=True, required=False, default=list)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class AssignSerializer(serializers.Serializer):
    """User ids, checked against the order's merchant by the service (one answer
    for an unknown id and for another merchant's user)."""

    assigned_staff = serializers.IntegerField(
        allow_null=True, required=False, min_value=1, max_value=2**63 - 1
    )
    supplier = serializers.IntegerField(
        allow_null=True, required=False, min_value=1, max_value=2**63 - 1
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give assigned_staff and/or supplier.")
        return attrs


# The kinds the feed names: the order's events, and its conversation's changes.
FEED_KINDS = [
    *(choice for choice in OrderEvent.Kind.choices if choice[0] != "conversation"),
    ("message", "A customer message"),
    ("message_reply", "A reply to the customer"),
    ("message_system", "A system message in the conversation"),
    ("thread", "The conversation closed or reopened"),
]


class OrderChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField()
    order_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FEED_KINDS)
    at = serializers.DateTimeField()


class OrderChangesSerializer(serializers.Serializer):
    """The change feed's answer (documentation only: built by the view)."""

    changes = OrderChangeSerializer(many=True)
    orders = serializers.ListField(
        child=serializers.DictField(),
        help_text="The current state of each order the changes touched, as the "
        "websocket sends it; a deleted order is {id, order_number, deleted: true}.",
    )
    next = serializers.CharField(help_text="Pass as `since` next time.")
    has_more = serializers.BooleanField()
