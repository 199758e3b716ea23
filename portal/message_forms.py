"""The portal's message forms: a reply in an order's thread, and "contact
support" (about one of the customer's orders, or about something else)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.services import BODY_LIMIT

GENERAL = "general"
BODY_WIDGET = forms.Textarea(
    attrs={
        "rows": 4,
        "placeholder": _("Write your message..."),
        "maxlength": BODY_LIMIT,
    }
)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=BODY_LIMIT, strip=True, widget=BODY_WIDGET
    )


class ContactForm(forms.Form):
    about = forms.ChoiceField(label=_("What is it about?"))
    body = forms.CharField(
        label=_("Message"), max_length=BODY_LIMIT, strip=True, widget=BODY_WIDGET
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [
            *(
                (
                    str(order.pk),
                    f"Order {order.order_number} · {order.get_status_display()}",
                )
                for order in orders
            ),
            (GENERAL, "Something else (not about an order)"),
        ]

    def order_id(self) -> int | None:
        about = self.cleaned_data["about"]
        return None if about == GENERAL else int(about)
