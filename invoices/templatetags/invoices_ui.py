from django import template

from invoices.selectors import PaymentStatus

register = template.Library()

TONES = {
    PaymentStatus.PAID: "green",
    PaymentStatus.PENDING: "orange",
    PaymentStatus.OVERDUE: "red",
    PaymentStatus.VOID: "grey",
}


@register.inclusion_tag("invoices/_status_badge.html")
def status_badge(status: str):
    return {
        "tone": TONES.get(status, "grey"),
        "label": PaymentStatus.LABELS.get(status, status),
    }


@register.simple_tag(takes_context=True)
def invoices_nav(context) -> bool:
    """Show the Invoices link: merchant staff, admins and resellers."""
    from invoices.views.common import is_billing_staff

    request = context.get("request")
    return bool(request and is_billing_staff(request.user))
