"""Reads of messages, with the access rule applied.

Everything starts from `orders.selectors.visible_orders`: a thread is visible with
its order, and a message with its thread. Internal notes are for the merchant's
staff and admins only, never customers, suppliers or resellers.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from messaging import canned
from messaging.models import (
    CannedReply,
    Label,
    Message,
    ReadReceipt,
    SatisfactionSurvey,
    StoreBranding,
    SupportNotification,
    SupportSettings,
    Thread,
    ThreadReadState,
    WhatsAppTemplate,
)
from orders.models import TEAM_ROLES, Order, Store
from orders.selectors import (
    merchant_members,
    order_is_managed_by,
    user_team_merchant_ids,
    visible_order_rows,
)
from performile import outbox
from performile.models import OutboxMessage

Visibility = Message.Visibility
Direction = Message.Direction


def user_sees_internal_notes(user, order: Order) -> bool:
    """Staff and admins of the order's merchant (and superusers)."""
    return order_is_managed_by(user, order)


@dataclass(frozen=True)
class Seen:
    """One reader of a message: who, and when."""

    name: str
    at: object  # datetime


def seen_by(order: Order, messages) -> dict[int, list[Seen]]:
    """Who of the order's merchant's team (staff and admins) read each message,
    and whether the order's customer read the team's replies ("the customer"),
    first reader first, by message id: the panel's "Seen by" (one query). For
    the team's eyes only (`user_sees_internal_notes`)."""
    team = merchant_members(order.merchant_id, *TEAM_ROLES).values("pk")
    readers = Q(user__in=team)
    customer = order.customer if order.customer_id else None
    if customer is not None and customer.user_id:
        readers |= Q(user_id=customer.user_id, message__direction=Direction.OUTBOUND)
    receipts = (
        ReadReceipt.objects.filter(readers, message__in=[m.pk for m in messages])
        .select_related("user")
        .order_by("read_at", "pk")
    )
    found: dict[int, list[Seen]] = {}
    for receipt in receipts:
        user = receipt.user
        if customer is not None and user.pk == customer.user_id:
            name = "the customer"
        else:
            name = user.get_short_name() or user.get_username()
        found.setdefault(receipt.message_id, []).append(Seen(name, receipt.read_at))
    return found


def customer_may_see(customer) -> Q:
    """What a customer sees of their order's thread (the portal, their data
    export): public messages that are theirs, the merchant's replies and the
    system's notes (not a stranger's message that quoted their order number)."""
    return Q(visibility=Visibility.PUBLIC) & (
        Q(direction__in=[Direction.OUTBOUND, Direction.SYSTEM])
        | Q(direction=Direction.INBOUND, author_customer_id=customer.pk)
    )


def visible_threads(user) -> QuerySet[Thread]:
    return visible_order_rows(Thread.objects.all(), user)


def thread_for_order(order: Order) -> Thread | None:
    return Thread.objects.filter(order=order).first()


def order_latest_rating(order: Order) -> SatisfactionSurvey | None:
    """The customer's latest answer to "How did we do?" about the order (for the
    merchant's team; docs/csat.md)."""
    return (
        SatisfactionSurvey.objects.filter(order=order, rating__isnull=False)
        .order_by("-answered_at", "-pk")
        .first()
    )


def thread_messages(user, order: Order) -> QuerySet[Message]:
    """The order's messages as `user` may see them, oldest first. The caller got
    `order` through `order_get_for_user`."""
    messages = Message.objects.filter(thread__order=order)
    if not user_sees_internal_notes(user, order):
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages.select_related(
        "author_user", "author_customer", "delivery", "redaction"
    ).prefetch_related("attachments")


def message_get_for_user(user, order: Order, message_id) -> Message:
    """One message of the order's thread that `user` may see; Http404 otherwise."""
    try:
        return thread_messages(user, order).get(pk=message_id)
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such message.") from exc


def unread_messages(user, thread: Thread, *, read_up_to=None) -> QuerySet[Message]:
    """Messages of the thread `user` has not read: written by someone else, after
    how far they have read (`read_up_to`, when the caller has read it already).
    System messages are never unread."""
    last_read = read_up_to
    if last_read is None:
        last_read = (
            ThreadReadState.objects.filter(thread=thread, user=user)
            .values_list("last_read_id", flat=True)
            .first()
        ) or 0
    messages = thread.messages.filter(pk__gt=last_read).exclude(
        direction=Direction.SYSTEM
    )
    messages = messages.exclude(author_user=user) if user.pk else messages
    if not user_sees_internal_notes(user, thread.order):
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages


def thread_unread_count(user, thread: Thread, *, read_up_to=None) -> int:
    return unread_messages(user, thread, read_up_to=read_up_to).count()


def with_unread(threads: QuerySet[Thread], user, *, internal) -> QuerySet:
    """Annotate each thread with `unread`: its messages `user` has not read (see
    `unread_messages`). `internal`: count internal notes too (staff only); True,
    False, or the ids of the merchants whose notes count (a user can be staff at
    one merchant and a supplier at another). A correlated count per thread, not a
    join and GROUP BY: a page of an inbox counts only its own threads' messages."""
    last_read = ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user)
    messages = Message.objects.filter(
        thread=OuterRef("pk"), pk__gt=OuterRef("read_up_to")
    ).exclude(direction=Direction.SYSTEM)
    if user.pk:
        messages = messages.exclude(author_user=user)
    if not internal:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    elif internal is not True:
        messages = messages.filter(
            Q(visibility=Visibility.PUBLIC) | Q(merchant_id__in=list(internal))
        )
    count = messages.order_by().values("thread").annotate(n=Count("pk")).values("n")
    return threads.annotate(
        read_up_to=_coalesce_zero(last_read.values("last_read_id")[:1])
    ).annotate(unread=_coalesce_zero(count))


def _coalesce_zero(subquery):
    from django.db.models import BigIntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    return Coalesce(
        Subquery(subquery, output_field=BigIntegerField()),
        Value(0),
        output_field=BigIntegerField(),
    )


def has_unread(user, *, internal: bool) -> Q:
    """Threads whose newest message (as `user` sees them) is after how far they
    have read: the inbox's cheap "unread" filter."""
    newest = "last_message_id" if internal else "last_public_message_id"
    read = ThreadReadState.objects.filter(
        thread=OuterRef("pk"), user=user, last_read_id__gte=OuterRef(newest)
    )
    return ~Q(Exists(read)) & Q(**{f"{newest}__gt": 0})


def unmatched_messages(user) -> QuerySet[Message]:
    """Messages no order was found for, in the merchants where `user` is staff or
    admin; superusers see the platform's too (merchant unknown)."""
    messages = Message.objects.filter(thread=None)
    if not user.is_superuser:
        messages = messages.filter(merchant_id__in=user_team_merchant_ids(user))
    return messages.select_related(
        "author_customer", "merchant", "redaction"
    ).prefetch_related("attachments")


def unmatched_get_for_user(user, message_id) -> Message:
    try:
        return unmatched_messages(user).get(pk=message_id)
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such message.") from exc


# --- Which channels a store's customers reach it by (workspace settings) ---------


@dataclass(frozen=True)
class ChannelState:
    """One channel of one store: whether the platform sends and receives on it
    (its provider's settings, set by the operator) and the store's own address on
    it; `state` sums them up for a person."""

    channel: str
    label: str
    sends: bool
    receives: bool
    address: str
    address_field: str  # the Store field that holds it ("" for in-app)

    @property
    def state(self) -> str:
        if not (self.sends or self.receives):
            return "off"
        if self.address_field and not self.address:
            return "no_address"
        return "on" if self.sends and self.receives else "partial"


def store_channels(store: Store) -> list[ChannelState]:
    """The store's channels, in the reply composer's order."""
    email_in = bool(settings.MAILGUN_SIGNING_KEY or settings.EMAIL_INBOUND_SECRET)
    return [
        ChannelState(
            Message.Channel.EMAIL,
            "Email",
            outbox.channel_ready(OutboxMessage.Channel.EMAIL),
            email_in,
            store.support_email,
            "support_email",
        ),
        ChannelState(
            Message.Channel.SMS,
            "SMS",
            outbox.channel_ready(OutboxMessage.Channel.SMS),
            bool(settings.TWILIO_AUTH_TOKEN),
            store.sms_number,
            "sms_number",
        ),
        ChannelState(
            Message.Channel.WHATSAPP,
            "WhatsApp",
            outbox.channel_ready(OutboxMessage.Channel.WHATSAPP),
            bool(settings.WHATSAPP_APP_SECRET),
            store.whatsapp_phone_number_id,
            "whatsapp_phone_number_id",
        ),
        ChannelState(Message.Channel.IN_APP, "In-app (portal)", True, True, "", ""),
    ]


def support_settings(store_ids) -> dict[int, SupportSettings]:
    """Each store's support settings, in one query: the saved row, or the
    defaults (unsaved) for a store that has none. The one reading of them: the
    automatic answers, the service levels and the settings form start here."""
    ids = list(store_ids)
    saved = {
        row.store_id: row for row in SupportSettings.objects.filter(store_id__in=ids)
    }
    return {pk: saved.get(pk) or SupportSettings(store_id=pk) for pk in ids}


def store_branding(store: Store) -> StoreBranding:
    """The store's email branding: the saved row, or the defaults (unsaved). The
    one reading of it: the emails and the settings form start here."""
    cached = getattr(store, "_branding", None)
    if cached is None:
        # Kept on the store instance: a notice names the store and brands its
        # email from one read (an instance lives for one request or task).
        found = StoreBranding.objects.filter(store=store).first()
        cached = store._branding = found or StoreBranding(store=store)
    return cached


def store_branding_by_logo(name: str) -> StoreBranding:
    """The branding whose logo file is `name` (the logo's URL in an email);
    Http404 when none."""
    return get_object_or_404(
        StoreBranding.objects.exclude(logo=""), logo=f"branding/{name}"
    )


def team_people(user) -> list:
    """The staff and admins of the merchants where `user` is one: whom the Inbox
    may assign conversations to."""
    people = {}
    for merchant_id in sorted(user_team_merchant_ids(user)):
        for person in merchant_members(merchant_id, *TEAM_ROLES):
            people.setdefault(person.pk, person)
    return list(people.values())


def team_canned_replies(user) -> QuerySet[CannedReply]:
    """The canned replies of the merchants where `user` is staff or admin."""
    if not user or not user.is_authenticated:
        return CannedReply.objects.none()
    return CannedReply.objects.filter(
        merchant_id__in=sorted(user_team_merchant_ids(user))
    ).select_related("merchant")


def canned_reply_get_for_user(user, pk: int) -> CannedReply:
    return get_object_or_404(team_canned_replies(user), pk=pk)


def canned_replies_for_order(user, order: Order) -> list[tuple[str, str]]:
    """(title, text) of each canned reply the user may use on `order`, its
    variables filled in for it: the merchant's team only."""
    if not order_is_managed_by(user, order):
        return []
    values = canned.order_values(order)
    replies = CannedReply.objects.filter(merchant_id=order.merchant_id)
    return [(reply.title, canned.render(reply.body, values)) for reply in replies]


def team_labels(user) -> QuerySet[Label]:
    """The labels of the merchants where `user` is staff or admin."""
    if not user or not user.is_authenticated:
        return Label.objects.none()
    return Label.objects.filter(
        merchant_id__in=sorted(user_team_merchant_ids(user))
    ).select_related("merchant")


def team_whatsapp_templates(user) -> QuerySet[WhatsAppTemplate]:
    """The WhatsApp templates of the merchants where `user` is staff or admin
    (only admins may change them: messaging.services.whatsapp_templates)."""
    if not user or not user.is_authenticated:
        return WhatsAppTemplate.objects.none()
    return WhatsAppTemplate.objects.filter(
        merchant_id__in=sorted(user_team_merchant_ids(user))
    ).select_related("merchant")


def label_get_for_user(user, pk: int) -> Label:
    return get_object_or_404(team_labels(user), pk=pk)


def labels_for_order(user, order: Order) -> list[Label]:
    """The labels the user may put on the order's conversation: its merchant's,
    for the merchant's team."""
    if not order_is_managed_by(user, order):
        return []
    return list(Label.objects.filter(merchant_id=order.merchant_id))


def whatsapp_template_get_for_user(user, pk: int) -> WhatsAppTemplate:
    """Another merchant's template is Http404, like one that does not exist."""
    return get_object_or_404(team_whatsapp_templates(user), pk=pk)


def escalations_for(user, *, limit: int = 5) -> list[SupportNotification]:
    """The escalations to `user` (messaging.services.escalation) not seen yet, in
    conversations they may still see, newest first; seen once they read the
    conversation."""
    if not user or not user.is_authenticated:
        return []
    escalations = (
        SupportNotification.objects.filter(
            user=user,
            seen_at=None,
            kind__in=[
                SupportNotification.Kind.REPLY_OVERDUE,
                SupportNotification.Kind.RESOLUTION_OVERDUE,
            ],
            message__thread__in=visible_threads(user).filter(status=Thread.Status.OPEN),
        )
        .select_related("message__thread__order")
        .order_by("-pk")
    )
    return list(escalations[:limit])


def store_name_for_customers(store: Store) -> str:
    """The name customers know the store by: its branding's display name, else
    its own name (what notifications, answers and questions sign with)."""
    name = store_branding(store).display_name
    return " ".join((name or store.name).split())
