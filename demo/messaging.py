"""Demo messages. First what the demo orders' status changes were answered with
(their system messages and the customers' notifications, written in bulk by
messaging.notifications.history, since the order demo writes its past without
domain events). Then conversations: customers asking about recent orders on every
channel, staff answering, an internal note, a resolved thread and two messages no
order was found for, and the customers' answers to "How did we do?" (demo.satisfaction), written through messaging.services, as real ones are, with the
clock moved to when each message "arrived" (demo.orders.story.clock)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.branding import demo_brandings_create
from demo.orders import catalog
from demo.orders.story import clock
from demo.satisfaction import demo_surveys_create
from messaging import services
from messaging.models import Message, Thread, WhatsAppTemplate
from messaging.notifications.history import status_changes_announce
from orders.models import Membership, Order

Channel = Message.Channel

QUESTIONS = [
    (
        Channel.EMAIL,
        "Where is my order {number}?",
        "Hi, I ordered a week ago and"
        " have not heard anything since. Could you tell me when {number} ships?",
    ),
    (Channel.WHATSAPP, "", "Hi! Any news on {number}? I need it before Friday 🙏"),
    (Channel.SMS, "", "Hello, is order {number} on its way? Thanks"),
    (Channel.IN_APP, "", "Can I still change the delivery address of this order?"),
    (
        Channel.EMAIL,
        "Re: Your order {number}",
        "The parcel arrived but one item is missing. What should I do?",
    ),
]
ANSWERS = [
    "Thanks for writing! Your order is packed and leaves our warehouse tomorrow"
    " morning; you will get the tracking link by email.",
    "Sorry for the wait. The courier shows it out for delivery today.",
    "Yes, we can still change it: reply with the new address and we will update it.",
    "So sorry about that. We are sending the missing item today at no cost.",
]
NOTES = [
    "Second delay for this customer: offer free shipping next time.",
    "Checked with the warehouse: the item was short-picked.",
]
# The labels each demo merchant sorts by, and words that earn a conversation one.
LABELS = [
    ("Missing item", "red", "missing"),
    ("Address change", "blue", "address"),
    ("Urgent", "orange", "before friday"),
]
CANNED = [
    (
        "Where is my parcel",
        "Hi {{customer_name}}, your order {{order_number}} is on its way: follow it"
        " at {{tracking_link}}. It should be with you {{eta}}.",
    ),
    (
        "Missing item",
        "Hi {{customer_name}}, so sorry something was missing from"
        " {{order_number}}. We are sending it today at no cost.",
    ),
]
# The WhatsApp templates each demo merchant has "approved" (Settings → WhatsApp
# templates): (purpose, name, Meta's language code, body, its variables).
WHATSAPP_TEMPLATES = [
    (
        "order_update",
        "order_update",
        "en",
        "Hello {{1}}, news about your order {{2}} from {{3}}: {{4}}",
        ["customer_name", "order_number", "store_name", "update"],
    ),
    (
        "order_update",
        "order_update",
        "sv",
        "Hej {{1}}! Nytt om din order {{2}} från {{3}}: {{4}}",
        ["customer_name", "order_number", "store_name", "update"],
    ),
    (
        "reply_waiting",
        "reply_waiting",
        "en",
        "You have a new reply about order {{1}} from {{2}}: {{3}}",
        ["order_number", "store_name", "reply_text"],
    ),
    (
        "reply_waiting",
        "reply_waiting",
        "sv",
        "Du har fått ett nytt svar om order {{1}} från {{2}}: {{3}}",
        ["order_number", "store_name", "reply_text"],
    ),
]
UNMATCHED = [
    (
        Channel.EMAIL,
        "lena.k@example.org",
        "Question about a gift card",
        "Hi, can I use a gift card in your shop? I do not have an order yet.",
    ),
    (Channel.SMS, "+46709998877", "", "Hi it's Bo, did my parcel leave yet?"),
]


def demo_messages_create(*, seed: int = 2026, conversations: int = 24) -> dict:
    """Announce the demo orders' past status changes and create the demo
    conversations; returns how many messages of each were written."""
    slugs = [merchant["slug"] for merchant in catalog.MERCHANTS]
    with transaction.atomic():
        demo_brandings_create()
        announced = status_changes_announce(
            orders=Order.objects.filter(merchant__slug__in=slugs)
        )
    written = _conversations_create(seed, conversations)
    surveys = demo_surveys_create(
        orders=Order.objects.filter(merchant__slug__in=slugs), seed=seed
    )
    return {
        "announced": announced,
        "conversations": written,
        "whatsapp_templates": _whatsapp_templates_create(slugs),
        "surveys": surveys,
    }


def _whatsapp_templates_create(slugs: list[str]) -> int:
    """WHATSAPP_TEMPLATES for each demo merchant, saved by one of its admins;
    those it has already are left as they are."""
    made = 0
    admins = Membership.objects.filter(
        merchant__slug__in=slugs, role=Membership.Role.ADMIN
    ).select_related("merchant", "user")
    for membership in {m.merchant_id: m for m in admins}.values():
        merchant = membership.merchant
        for purpose, name, code, body, parameters in WHATSAPP_TEMPLATES:
            if WhatsAppTemplate.objects.filter(
                merchant=merchant, purpose=purpose, language=code[:2]
            ).exists():
                continue
            services.whatsapp_template_create(
                merchant=merchant,
                actor=membership.user,
                values={
                    "purpose": purpose,
                    "name": name,
                    "language_code": code,
                    "body": body,
                    "parameters": parameters,
                },
            )
            made += 1
    return made


def _conversations_create(seed: int, conversations: int) -> int:
    rng = random.Random(seed)
    orders = list(
        Order.objects.exclude(customer=None)
        .exclude(customer__email="")
        .select_related("customer", "store")
        .order_by("-placed_at")[: conversations * 2]
    )
    rng.shuffle(orders)
    before = Message.objects.count()
    with transaction.atomic():
        for index, order in enumerate(orders[:conversations]):
            _conversation(order, index, rng)
        _unmatched(orders)
        _team_tools(orders[:conversations], rng)
    return Message.objects.count() - before


def _conversation(order: Order, index: int, rng: random.Random) -> None:
    channel, subject, text = QUESTIONS[index % len(QUESTIONS)]
    asked = max(
        order.placed_at + timedelta(hours=rng.randint(2, 30)),
        timezone.now() - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 20)),
    )
    asked = min(asked, timezone.now() - timedelta(minutes=rng.randint(5, 600)))
    with clock(asked):
        _ask(
            order,
            channel,
            subject.format(number=order.order_number),
            text.format(number=order.order_number),
            rng,
        )
    if index % 4 == 3:
        return  # still waiting for an answer
    if not Thread.objects.filter(
        order=order, awaiting_reply_since__isnull=False
    ).exists():
        return  # answered automatically: nothing left for staff
    staff = _staff(order, rng)
    answered = asked + timedelta(minutes=rng.randint(4, 240))
    if answered > timezone.now():
        return
    with clock(answered):
        if index % 5 == 1:
            services.message_add_note(order=order, actor=staff, body=rng.choice(NOTES))
        reply_channel = (
            channel if channel in (Channel.EMAIL, Channel.IN_APP) else (Channel.EMAIL)
        )
        services.message_reply(
            order=order, actor=staff, body=rng.choice(ANSWERS), channel=reply_channel
        )
    if index % 3 == 0 and answered + timedelta(hours=2) < timezone.now():
        with clock(answered + timedelta(hours=2)):
            services.thread_close(order=order, actor=staff)


def _ask(order, channel, subject, text, rng) -> None:
    customer = order.customer
    if channel == Channel.IN_APP and customer.user_id:
        services.message_send_in_app(order=order, actor=customer.user, body=text)
        return
    if channel == Channel.IN_APP:
        channel = Channel.EMAIL
    sender = customer.email if channel == Channel.EMAIL else customer.phone
    if not sender:
        channel, sender = Channel.EMAIL, customer.email
    recipient = {
        Channel.EMAIL: order.store.support_email,
        Channel.SMS: order.store.sms_number,
    }.get(channel, "")
    services.message_receive(
        channel=channel,
        sender=sender,
        recipient=recipient,
        subject=subject if channel == Channel.EMAIL else "",
        body=text,
        provider_message_id=f"demo-{channel}-{order.pk}-{rng.getrandbits(32):x}",
    )


def _unmatched(orders: list[Order]) -> None:
    store = next((o.store for o in orders if o.store.support_email), None)
    for hours, (channel, sender, subject, body) in enumerate(UNMATCHED, start=3):
        with clock(timezone.now() - timedelta(hours=hours)):
            services.message_receive(
                channel=channel,
                sender=sender,
                recipient=store.support_email
                if store and channel == "email"
                else (store.sms_number if store else ""),
                subject=subject,
                body=body,
                provider_message_id=f"demo-unmatched-{channel}-{hours}",
            )


def _staff(order: Order, rng: random.Random):
    if order.assigned_staff_id:
        return order.assigned_staff
    members = list(
        Membership.objects.filter(
            merchant_id=order.merchant_id,
            role__in=[Membership.Role.STAFF, Membership.Role.ADMIN],
        ).select_related("user")
    )
    return rng.choice(members).user


def _team_tools(orders: list[Order], rng: random.Random) -> None:
    """The demo merchants' canned replies and labels; conversations labelled by
    what their customer asked, and one waiting conversation snoozed to tomorrow."""
    labels = {}
    for merchant_id in sorted({order.merchant_id for order in orders}):
        order = next(o for o in orders if o.merchant_id == merchant_id)
        staff = _staff(order, rng)
        if order.merchant.labels.exists():
            continue  # kept from an earlier run of the demo
        for title, body in CANNED:
            services.canned_reply_create(
                merchant=order.merchant, actor=staff, title=title, body=body
            )
        for name, colour, words in LABELS:
            label = services.label_create(
                merchant=order.merchant, actor=staff, name=name, colour=colour
            )
            labels[(merchant_id, words)] = label
    snoozed = False
    for order in orders:
        thread = Thread.objects.filter(order=order).first()
        if thread is None:
            continue
        asked = " ".join(
            thread.messages.filter(direction=Message.Direction.INBOUND).values_list(
                "body", flat=True
            )
        ).lower()
        chosen = [
            label.pk
            for (merchant_id, words), label in labels.items()
            if merchant_id == order.merchant_id and words in asked
        ]
        staff = _staff(order, rng)
        if chosen:
            services.thread_set_labels(order=order, actor=staff, label_ids=chosen)
        if not snoozed and thread.is_open and thread.awaiting_reply_since is None:
            tomorrow = timezone.now() + timedelta(days=1)
            services.thread_snooze(order=order, actor=staff, until=tomorrow)
            snoozed = True
