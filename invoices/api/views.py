"""REST endpoints for invoices, credit notes and payments. Thin: parse, call a
selector or service, render.

Reads follow `invoices.selectors` (what you may not see is a 404). Writes are for
the team (staff and admins) of the document's merchant: a reseller or customer who
can see an invoice gets 403 on writing to it.
"""

from django.db.models import prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices import selectors, services
from invoices.access import ensure_may_manage
from invoices.api import filters
from invoices.api.serializers import (
    AllocateInputSerializer,
    CreditNoteDetailSerializer,
    CreditNoteInputSerializer,
    CreditNoteListSerializer,
    InvoiceDetailSerializer,
    InvoiceIssueInputSerializer,
    InvoiceListSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    VoidInputSerializer,
)
from invoices.models import Invoice, Payment
from orders.selectors import order_get_for_user
from performile.pagination import NewestFirst


def require_team(user, merchant_id: int) -> None:
    """Only the merchant's staff and admins (and superusers) write its billing."""
    ensure_may_manage(
        user, merchant_id, "Only the merchant's staff and admins may do this."
    )


def invoice_detail(user, invoice_id) -> dict:
    invoice = selectors.invoice_get_for_user(user, invoice_id)
    prefetch_related_objects([invoice], "lines", "credit_notes", "payments", "order")
    return InvoiceDetailSerializer(invoice).data


def _team_invoice(user, invoice_id) -> Invoice:
    invoice = selectors.invoice_get_for_user(user, invoice_id)
    require_team(user, invoice.merchant_id)
    return invoice


class InvoiceListApi(generics.ListAPIView):
    """The invoices you may see, newest first, with their payment status."""

    permission_classes = [IsAuthenticated]
    serializer_class = InvoiceListSerializer
    pagination_class = NewestFirst
    filterset_class = filters.InvoiceFilter

    def get_queryset(self):
        return selectors.visible_invoices(self.request.user).select_related("order")


class InvoiceDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=InvoiceDetailSerializer)
    def get(self, request, pk: int):
        return Response(invoice_detail(request.user, pk))


class InvoiceIssueApi(APIView):
    """Issue the order's invoice now (staff and admins of its merchant). 409 when
    the order has an issued invoice already."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=InvoiceIssueInputSerializer, responses={201: InvoiceDetailSerializer}
    )
    def post(self, request, order_id: int):
        order = order_get_for_user(request.user, order_id)
        require_team(request.user, order.merchant_id)
        serializer = InvoiceIssueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = services.invoice_issue_for_order(
            order=order,
            actor=request.user,
            notes=serializer.validated_data["notes"],
        )
        return Response(
            invoice_detail(request.user, invoice.pk), status=status.HTTP_201_CREATED
        )


class InvoicePaymentApi(APIView):
    """Record a payment (or, with a negative amount, a refund) on the invoice."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PaymentInputSerializer, responses={201: PaymentSerializer})
    def post(self, request, pk: int):
        invoice = _team_invoice(request.user, pk)
        serializer = PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payment = services.payment_record(
            merchant=invoice.merchant,
            invoice=invoice,
            amount=data["amount"],
            currency=data.get("currency") or invoice.currency,
            method=data["method"],
            reference=data["reference"],
            received_at=data.get("received_at"),
            actor=request.user,
        )
        payment = selectors.visible_payments(request.user).get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class InvoiceCreditNoteApi(APIView):
    """Credit invoice lines (`lines`), an amount (`amount`), or, with neither,
    everything not credited yet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CreditNoteInputSerializer, responses={201: CreditNoteDetailSerializer}
    )
    def post(self, request, pk: int):
        invoice = _team_invoice(request.user, pk)
        serializer = CreditNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = services.credit_note_issue(
            invoice=invoice,
            actor=request.user,
            reason=data["reason"],
            lines=data.get("lines"),
            amount=data.get("amount"),
            tax_rate=data.get("tax_rate"),
            description=data["description"],
        )
        return Response(
            credit_note_detail(request.user, note.pk), status=status.HTTP_201_CREATED
        )


class InvoiceVoidApi(APIView):
    """Void an invoice nobody has paid or credited (409 otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=VoidInputSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, pk: int):
        invoice = _team_invoice(request.user, pk)
        serializer = VoidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.invoice_void(
            invoice=invoice,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(invoice_detail(request.user, pk))


class PaymentAllocateApi(APIView):
    """Put an unallocated payment on an invoice of the same merchant and currency."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AllocateInputSerializer, responses=PaymentSerializer)
    def post(self, request, pk: int):
        try:
            payment = selectors.visible_payments(request.user).get(pk=pk)
        except (Payment.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("No such payment.") from exc
        require_team(request.user, payment.merchant_id)
        serializer = AllocateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = selectors.invoice_get_for_user(
            request.user, serializer.validated_data["invoice"]
        )
        payment = services.payment_allocate(
            payment=payment, invoice=invoice, actor=request.user
        )
        return Response(PaymentSerializer(payment).data)


class PaymentListApi(generics.ListAPIView):
    """The payments and refunds you may see, newest recorded first."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentSerializer
    pagination_class = NewestFirst
    filterset_class = filters.PaymentFilter

    def get_queryset(self):
        return selectors.visible_payments(self.request.user)


class CreditNoteListApi(generics.ListAPIView):
    """The credit notes you may see, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = CreditNoteListSerializer
    pagination_class = NewestFirst
    filterset_class = filters.CreditNoteFilter

    def get_queryset(self):
        return selectors.visible_credit_notes(self.request.user)


def credit_note_detail(user, credit_note_id) -> dict:
    note = selectors.credit_note_get_for_user(user, credit_note_id)
    prefetch_related_objects([note], "lines")
    return CreditNoteDetailSerializer(note).data


class CreditNoteDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CreditNoteDetailSerializer)
    def get(self, request, pk: int):
        return Response(credit_note_detail(request.user, pk))
