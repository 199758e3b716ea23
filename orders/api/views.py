"""REST endpoints for orders. Thin: parse, call a selector or service, render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import feed, live, selectors, services
from orders.api.serializers import (
    AssignSerializer,
    CustomerMergeSerializer,
    CustomerRefSerializer,
    OrderChangesSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderListSerializer,
    StatusChangeSerializer,
)
from orders.customers import customer_merge
from orders.filters import OrderFilter
from orders.ingestion.incoming import IncomingLine
from orders.money import order_currency
from performile.errors import ApplicationError
from performile.pagination import NewestFirst, SortedPages


class IsMerchantMember(BasePermission):
    """The merchant API is for merchant teams, resellers and suppliers; customers
    have the portal."""

    message = "This API is for merchant staff, resellers and suppliers."

    def has_permission(self, request, view):
        return selectors.user_is_merchant_member(request.user)


class OrderListCreateApi(generics.ListAPIView):
    """List the orders you may see (newest first), or create a manual order."""

    permission_classes = [IsMerchantMember]

    serializer_class = OrderListSerializer
    pagination_class = NewestFirst
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.order_list(self.request.user)

    @property
    def paginator(self):
        """Newest first, cut at ids (NewestFirst); with `sort` (validated by
        OrderFilter: an unknown one is 400), numbered pages in that order."""
        if not hasattr(self, "_paginator"):
            sorted_by = self.request.query_params.get("sort")
            self._paginator = SortedPages() if sorted_by else NewestFirst()
        return self._paginator

    @extend_schema(
        request=OrderCreateSerializer, responses={201: OrderDetailSerializer}
    )
    def post(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = selectors.user_stores(request.user).filter(pk=data["store"]).first()
        if store is None:
            raise ApplicationError(
                "You cannot create orders in that store.",
                fields={"store": ["Unknown store."]},
            )
        order = services.order_create_manual(
            store=store,
            actor=request.user,
            customer=data.get("customer"),
            **_order_values(store, data),
        )
        detail = selectors.order_detail(request.user, order.pk)
        return Response(
            OrderDetailSerializer(detail).data, status=status.HTTP_201_CREATED
        )


def _order_values(store, data: dict) -> dict:
    amount = data["amount"]
    return {
        "order_number": data.get("order_number", ""),
        "status": data["status"],
        "lines": [_line(line) for line in data["lines"]],
        "amount": amount["amount"],
        "currency": order_currency(store, data.get("currency"), amount["currency"]),
        **{
            name: data[name]
            for name in services.EDITABLE_FIELDS
            if name in data and name not in ("amount", "currency")
        },
    }


def _line(line: dict) -> IncomingLine:
    return IncomingLine(
        title=line["title"],
        sku=line["sku"],
        quantity=line["quantity"],
        unit_price=line["unit_price"]["amount"],
    )


class OrderDetailApi(APIView):
    permission_classes = [IsMerchantMember]

    @extend_schema(responses=OrderDetailSerializer)
    def get(self, request, pk: int):
        return Response(
            OrderDetailSerializer(selectors.order_detail(request.user, pk)).data
        )


class OrderStatusApi(APIView):
    """Change an order's status (with an optional note) along the state machine."""

    permission_classes = [IsMerchantMember]

    @extend_schema(request=StatusChangeSerializer, responses=OrderDetailSerializer)
    def post(self, request, pk: int):
        order = selectors.order_get_for_user(request.user, pk)
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_change_status(
            order=order,
            to=serializer.validated_data["status"],
            actor=request.user,
            note=serializer.validated_data["note"],
        )
        return Response(
            OrderDetailSerializer(selectors.order_detail(request.user, pk)).data
        )


class OrderAssignApi(APIView):
    """Assign staff and/or a supplier (null unassigns). Staff and admins only."""

    permission_classes = [IsMerchantMember]

    @extend_schema(request=AssignSerializer, responses=OrderDetailSerializer)
    def post(self, request, pk: int):
        order = selectors.order_get_for_user(request.user, pk)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_assign(
            order=order,
            actor=request.user,
            **serializer.validated_data,
        )
        return Response(
            OrderDetailSerializer(selectors.order_detail(request.user, pk)).data
        )


class OrderChangesApi(APIView):
    """What changed on the orders you may see since `since` (a cursor from a
    previous answer; without one, the current position and no changes). Read it
    after every websocket reconnect, or every 30 s while the socket is down."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="The 'next' of an answer."),
            OpenApiParameter("limit", int, description="At most 500; default 200."),
        ],
        responses=OrderChangesSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("since")
        if not raw:
            return Response(
                {
                    "changes": [],
                    "orders": [],
                    "next": str(feed.current_cursor()),
                    "has_more": False,
                }
            )
        limit = _bounded_int(request.query_params.get("limit"), default=200, top=500)
        page = feed.order_changes(request.user, feed.Cursor.parse(raw), limit=limit)
        staff = selectors.user_is_merchant_member(request.user)
        return Response(
            {
                "changes": [
                    {
                        "cursor": str(feed.Cursor(event.txid, event.id)),
                        "order_id": event.order_id,
                        "kind": event.feed_kind,
                        "at": event.created_at,
                    }
                    for event in page.events
                ],
                "orders": [
                    live.order_state(order, staff=staff) for order in page.orders
                ],
                "next": str(page.next),
                "has_more": page.has_more,
            }
        )


def _bounded_int(raw, *, default: int, top: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApplicationError(
            "limit must be a whole number.", fields={"limit": ["Not a number."]}
        ) from None
    if not 1 <= value <= top:
        raise ApplicationError(
            f"limit must be between 1 and {top}.", fields={"limit": ["Out of range."]}
        )
    return value


class CustomerMergeApi(APIView):
    """Merge this customer into another of the merchant's customers (one person,
    two records): orders, threads, invoices and payments move; this one is
    deleted. Staff and admins only; docs/customers.md."""

    permission_classes = [IsMerchantMember]

    @extend_schema(request=CustomerMergeSerializer, responses=CustomerRefSerializer)
    def post(self, request, pk: int):
        customer = selectors.customer_get_for_team(request.user, pk)
        serializer = CustomerMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = selectors.customer_get_for_team(
            request.user, serializer.validated_data["into"]
        )
        merged = customer_merge(customer=customer, into=into, actor=request.user)
        return Response(CustomerRefSerializer(merged).data)
