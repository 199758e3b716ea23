"""The forms of the order's Messages panel, the Unmatched inbox and the Inbox."""

from django import forms

from messaging import snooze
from messaging.models import Message, Thread, WhatsAppTemplate
from messaging.models import labels as label_colours
from messaging.services.outgoing import (
    ReplyChannel,
    auto_channel,
    files_note,
    reply_channels,
)
from messaging.services.reply_files import LIMITS_TEXT, MAX_FILES, TYPES
from messaging.whatsapp_templates import META_LANGUAGES
from orders.models import Merchant, Order
from orders.selectors import visible_orders
from orders.state_machine import OrderStatus

Channel = Message.Channel
AUTO = "auto"


def channel_choices(options: list[ReplyChannel], auto: str) -> list[tuple[str, str]]:
    """The composer's channels: Auto, naming where it goes, and those a reply
    can go by (`reply_channels`)."""
    where = next(option.label for option in options if option.channel == auto)
    return [(AUTO, f"Auto: {where}")] + [
        (option.channel, option.label) for option in options if not option.unavailable
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's documented recipe); what may go is
    messaging.services.reply_files's to say."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        cleaned = [
            super(MultipleFileField, self).clean(one, initial) for one in uploads
        ]
        return [upload for upload in cleaned if upload]


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        strip=False,  # the service cleans the body; a blank one is its error
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Write a reply…", "data-composer": ""}
        ),
    )
    channel = forms.ChoiceField(label="Send by", initial=AUTO, required=False)
    internal = forms.BooleanField(
        label="Internal note",
        required=False,
        help_text="Only your team sees it; the customer is not told.",
    )
    files = MultipleFileField(
        label="Attach files",
        required=False,
        help_text=LIMITS_TEXT,
        widget=MultipleFileInput(
            attrs={
                "accept": ",".join(f".{extension}" for extension in TYPES),
                "data-max-files": MAX_FILES,
            }
        ),
    )

    def __init__(
        self, *args, order: Order, thread: Thread | None, allow_internal: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        options = reply_channels(order, thread)
        field = self.fields["channel"]
        # Every channel is a valid answer (so that one not offered is refused
        # saying why, in clean_channel); the menu shows those a reply can go by.
        field.choices = [(AUTO, "Auto")] + [(o.channel, o.label) for o in options]
        field.widget.choices = channel_choices(options, auto_channel(order, thread))
        # Shown under the choice: what is not offered, and why.
        self.unavailable = [option for option in options if option.unavailable]
        self.notes = [option.note for option in options if option.note]
        self.files_note = files_note(order)
        if not allow_internal:
            del self.fields["internal"]

    def clean_channel(self):
        channel = self.cleaned_data.get("channel")
        for option in self.unavailable:
            if option.channel == channel:
                raise forms.ValidationError(
                    f"{option.label} is not offered: {option.unavailable}."
                )
        return channel

    @property
    def is_note(self) -> bool:
        return bool(self.cleaned_data.get("internal"))

    def visibility(self) -> str:
        return (
            Message.Visibility.INTERNAL if self.is_note else Message.Visibility.PUBLIC
        )

    def channel_value(self) -> str | None:
        return self.cleaned_data.get("channel") or AUTO

    def uploads(self) -> list:
        return self.cleaned_data.get("files") or []


class LinkForm(forms.Form):
    """Which order an unmatched message belongs to: its order number, looked up
    among the orders the staff member sees (and of the message's merchant)."""

    order_number = forms.CharField(
        label="Order number",
        max_length=64,
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. ORD-10042", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, user, message: Message, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.message = message
        self.fields["order_number"].widget.attrs["id"] = f"link-{message.pk}"

    def clean_order_number(self):
        number = self.cleaned_data["order_number"].strip().lstrip("#")
        orders = visible_orders(self.user).filter(order_number__iexact=number)
        if self.message.merchant_id:
            orders = orders.filter(merchant_id=self.message.merchant_id)
        found = list(orders.select_related("store")[:5])
        if not found:
            raise forms.ValidationError(f"No order {number} among your orders.")
        if len(found) > 1:
            stores = ", ".join(order.store.name for order in found)
            raise forms.ValidationError(
                f"Several orders are numbered {number} ({stores}); link it from"
                " the order's own page instead."
            )
        self.order = found[0]
        return number


class InboxFilterForm(forms.Form):
    """The Inbox filters, for showing and re-filling the form only: what they
    mean is messaging.inbox.inbox_filters_from's to say."""

    q = forms.CharField(
        required=False,
        label="Search messages",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search messages…"}
        ),
    )
    status = forms.ChoiceField(
        required=False,
        label="Thread",
        choices=[("", "Open and closed"), *Thread.Status.choices],
    )
    unread = forms.ChoiceField(
        required=False, label="Read", choices=[("", "Read and unread"), ("1", "Unread")]
    )
    order_status = forms.ChoiceField(
        required=False,
        label="Order status",
        choices=[("", "Any order status"), *OrderStatus.choices],
    )
    channel = forms.ChoiceField(
        required=False,
        label="Channel",
        choices=[("", "Any channel"), *Channel.choices],
    )
    store = forms.ChoiceField(required=False, label="Store")
    assignee = forms.ChoiceField(
        required=False,
        label="Assigned to",
        choices=[("", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")],
    )
    reply = forms.ChoiceField(
        required=False,
        label="Reply target",
        choices=[
            ("", "Any reply target"),
            ("waiting", "Awaiting reply"),
            ("overdue", "Reply overdue"),
            ("near", "Reply due soon"),
        ],
    )
    date_from = forms.CharField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.CharField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", "All stores")] + [
            (str(store.pk), store.name) for store in stores
        ]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"inbox_{name}")


class MetricsFilterForm(forms.Form):
    """For showing and re-filling the form; messaging.metrics reads the query."""

    date_from = forms.CharField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.CharField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    store = forms.ChoiceField(required=False, label="Store")
    staff = forms.ChoiceField(required=False, label="Staff member")

    def __init__(self, *args, stores, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", "All stores")] + [
            (str(store.pk), store.name) for store in stores
        ]
        self.fields["staff"].choices = [("", "Everyone")] + [
            (str(user.pk), user.get_full_name() or user.get_username())
            for user in staff
        ]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"metrics_{name}")


class CannedReplyForm(forms.Form):
    """A canned reply's title and text (and, for a new one of someone who works
    for several merchants, whose it is); messaging.services.canned checks them."""

    merchant = forms.ModelChoiceField(queryset=None, label="Merchant")
    title = forms.CharField(label="Title", max_length=80)
    body = forms.CharField(
        label="Reply",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Variables in double braces are filled in from the order.",
    )

    def __init__(self, *args, merchants, reply=None, **kwargs):
        super().__init__(*args, **kwargs)
        one_merchant(self.fields["merchant"], merchants, reply)


class SnoozeForm(forms.Form):
    """Snooze a conversation: one of messaging.snooze's choices, or a time of the
    user's own (read in the page's time zone)."""

    until = forms.ChoiceField(label="Snooze", choices=snooze.CHOICES)
    at = forms.DateTimeField(
        label="Until",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self):
        data = super().clean()
        if data.get("until") == "custom" and not data.get("at"):
            self.add_error("at", "Pick the time to snooze until.")
        return data


class LabelsForm(forms.Form):
    """The labels on one conversation, among its merchant's."""

    labels = forms.MultipleChoiceField(
        label="Labels", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].choices = [
            (str(label.pk), label.name) for label in labels
        ]


class LabelForm(forms.Form):
    """A label's name and colour (and, for a new one of someone who works for
    several merchants, whose it is); messaging.services.organising checks them."""

    merchant = forms.ModelChoiceField(queryset=None, label="Merchant")
    name = forms.CharField(label="Name", max_length=40)
    colour = forms.ChoiceField(label="Colour", choices=label_colours.COLOURS)

    def __init__(self, *args, merchants, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        one_merchant(self.fields["merchant"], merchants, label)


def one_merchant(field, merchants, editing) -> None:
    """The merchant field of a team's form: fixed when editing or when the user
    works for one merchant only."""
    field.queryset = Merchant.objects.filter(pk__in=[m.pk for m in merchants])
    if editing is not None or len(merchants) == 1:
        field.initial = editing.merchant if editing is not None else merchants[0]
        field.widget = forms.HiddenInput()
        field.disabled = True


class WhatsAppTemplateForm(forms.Form):
    """A WhatsApp template as approved in WhatsApp Manager, and the variables
    that fill its placeholders (messaging.services.whatsapp_templates checks
    them); `merchant` as in CannedReplyForm."""

    merchant = forms.ModelChoiceField(queryset=None, label="Merchant")
    purpose = forms.ChoiceField(
        label="Used for", choices=WhatsAppTemplate.Purpose.choices
    )
    name = forms.CharField(
        label="Template name",
        max_length=512,
        help_text="Exactly as in WhatsApp Manager (order_update_v2).",
    )
    language_code = forms.ChoiceField(
        label="Approved in",
        choices=[
            (code, f"{label} ({code})") for code, (_, label) in META_LANGUAGES.items()
        ],
        help_text="Sent to customers who read this language.",
    )
    body = forms.CharField(
        label="Body as approved",
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Paste it with its placeholders: “Your order {{1}} from {{2}}…”.",
    )
    parameters = forms.CharField(
        label="Placeholders filled with",
        required=False,
        max_length=500,
        help_text="One variable per placeholder, in order, separated by commas.",
    )
    active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(self, *args, merchants, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        one_merchant(self.fields["merchant"], merchants, template)

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "name": data["name"],
            "language_code": data["language_code"],
            "body": data["body"],
            "parameters": [p for p in data["parameters"].split(",") if p.strip()],
            "active": data["active"],
        }

    @staticmethod
    def initial_for(template) -> dict:
        return {
            "purpose": template.purpose,
            "name": template.name,
            "language_code": template.language_code,
            "body": template.body,
            "parameters": ", ".join(template.parameters),
            "active": template.active,
        }
