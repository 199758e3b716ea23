"""Reads of invoices, credit notes, payments and statements, with the access rule
applied, and the derived payment status.

Who sees which invoice follows `orders.selectors.visible_orders`: merchant staff
and admins every invoice of their merchants, resellers those of the stores they
own, customers their own. Suppliers fulfil orders and never see their billing.
"""

from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoices.access import billing_reaches
from invoices.models import CreditNote, Invoice, Payment, Statement
from orders.access import reach_filter, team_merchant_ids
from orders.models import Customer


class PaymentStatus:
    PAID = "paid"
    PENDING = "pending"
    OVERDUE = "overdue"
    VOID = "void"

    LABELS = {
        PAID: _("Paid"),
        PENDING: _("Pending"),
        OVERDUE: _("Overdue"),
        VOID: _("Void"),
    }
    CHOICES = list(LABELS.items())


def billing_scope(user, *, store: str = "store_id") -> Q | None:
    """The rule, as a filter on a model with merchant and customer fields and a path
    to the store (`store`: a payment has none of its own, it reaches one through its
    order); None when the user sees nothing (`invoices.access.billing_reaches`)."""
    return reach_filter(billing_reaches(user), store=store)


def _scoped(queryset: QuerySet, user, *, store: str = "store_id") -> QuerySet:
    rule = billing_scope(user, store=store)
    return queryset.none() if rule is None else queryset.filter(rule)


def with_balance(invoices: QuerySet[Invoice], at: datetime | None = None) -> QuerySet:
    """Annotate `credited`, `paid`, `outstanding` and `payment_status` (as of `at`,
    default now, on the merchant's own calendar)."""
    at = at or timezone.now()
    today = Cast(
        Func(
            F("merchant__timezone"),
            Value(at),
            function="timezone",
            output_field=DateField(),
        ),
        DateField(),
    )
    return invoices.annotate(
        credited=F("credited_amount"),
        paid=F("paid_amount"),
        outstanding=F("total") - F("credited") - F("paid"),
        payment_status=Case(
            When(state=Invoice.State.VOID, then=Value(PaymentStatus.VOID)),
            When(outstanding__lte=0, then=Value(PaymentStatus.PAID)),
            When(due_date__lt=today, then=Value(PaymentStatus.OVERDUE)),
            default=Value(PaymentStatus.PENDING),
            output_field=CharField(),
        ),
    )


def visible_invoices(user, *, at: datetime | None = None) -> QuerySet[Invoice]:
    return with_balance(_scoped(Invoice.objects.all(), user), at).select_related(
        "customer", "merchant"
    )


def invoice_get_for_user(user, invoice_id, *, at: datetime | None = None) -> Invoice:
    """The invoice if the user may see it; Http404 otherwise (never 403)."""
    try:
        return visible_invoices(user, at=at).get(pk=invoice_id)
    except (Invoice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such invoice.") from exc


def visible_credit_notes(user) -> QuerySet[CreditNote]:
    return _scoped(CreditNote.objects.all(), user).select_related("invoice", "customer")


def credit_note_get_for_user(user, credit_note_id) -> CreditNote:
    try:
        return visible_credit_notes(user).get(pk=credit_note_id)
    except (CreditNote.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such credit note.") from exc


def visible_payments(user) -> QuerySet[Payment]:
    return _scoped(Payment.objects.all(), user, store="order__store_id").select_related(
        "invoice", "customer", "order"
    )


def visible_statements(user) -> QuerySet[Statement]:
    """Statements span the merchant's stores: its team sees them, and the customer
    their own; resellers and suppliers none."""
    if not user or not user.is_authenticated or not user.is_active:
        return Statement.objects.none()
    statements = Statement.objects.select_related("customer")
    if user.is_superuser:
        return statements
    teams = team_merchant_ids(user)
    return statements.filter(Q(merchant_id__in=teams) | Q(customer__user=user))


def statement_get_for_user(user, statement_id) -> Statement:
    try:
        return visible_statements(user).get(pk=statement_id)
    except (Statement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such statement.") from exc


def customers_for_billing(user) -> QuerySet[Customer]:
    """Customers whose statements the user may generate: their team merchants'."""
    if not user or not user.is_authenticated:
        return Customer.objects.none()
    if user.is_superuser:
        return Customer.objects.all()
    teams = team_merchant_ids(user)
    return Customer.objects.filter(merchant_id__in=teams)
