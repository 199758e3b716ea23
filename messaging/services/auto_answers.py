"""Answers without a person: a customer who asks where their order is gets its live
status at once, on the channel they asked on, in the language they asked in
(docs/inbox.md, "Automatic answers").

Answered when all hold:
- the message is the order's own customer's (a stranger quoting an order number
  is left to staff), and it asks where the order is (`messaging.tracking_questions`);
- the store has not turned automatic answers off (`SupportSettings.auto_answers`);
- no person of the team answered in the thread in the last hour, and the thread
  had no automatic answer in the last hour (a customer who writes three times in
  a row gets one);
- a reply can go by the channel the customer used.

The answer is a message of the thread marked `automatic`. The conversation stops
waiting only when the answer says all the customer asked for: a message that asks
for more (a refund, a return...), or an order in trouble (on hold, a delivery
problem, cancelled) keeps waiting for a person.
"""

import logging
from datetime import timedelta

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from messaging import tracking_questions
from messaging.emails import brand_of
from messaging.models import Message, Thread
from messaging.selectors import store_name_for_customers, support_settings
from messaging.services.common import Direction, Visibility, order_audit
from messaging.services.outgoing import delivery_fields, queue_reply
from messaging.services.threads import thread_add_message, thread_record_message
from orders.models import Order
from orders.state_machine import OrderStatus as S
from orders.tracking import TrackingStatus as T
from performile.errors import ApplicationError

logger = logging.getLogger(__name__)

QUIET_AFTER_STAFF = timedelta(hours=1)
ONCE_PER = timedelta(hours=1)
# The question's language -> the catalogue it is answered from.
LANGUAGES = {"en": "en", "sv": "sv", "no": "nb", "da": "da"}
# Where the order is, as the customer reads it: after the courier's first scan by
# its tracking status, before it by the order's own status.
TRACKING_PHRASES = {
    T.INFO_RECEIVED: gettext_noop("is packed and waiting for the courier"),
    T.IN_TRANSIT: gettext_noop("is on its way"),
    T.OUT_FOR_DELIVERY: gettext_noop("is out for delivery"),
    T.AVAILABLE_FOR_PICKUP: gettext_noop("is ready to be picked up"),
    T.ATTEMPT_FAILED: gettext_noop(
        "could not be delivered at the courier's last attempt"
    ),
    T.DELIVERED: gettext_noop("has been delivered"),
    T.EXCEPTION: gettext_noop("has a delivery problem, which we are looking into"),
    T.RETURNED: gettext_noop("is on its way back to us"),
    T.EXPIRED: gettext_noop("has had no news from the courier for a while"),
}
STATUS_PHRASES = {
    S.DRAFT: gettext_noop("has been received"),
    S.PENDING: gettext_noop("has been received"),
    S.PAYMENT_VERIFIED: gettext_noop("is paid and being prepared"),
    S.IN_PROGRESS: gettext_noop("is being worked on"),
    S.IN_REVIEW: gettext_noop("is done and being reviewed"),
    S.CONFIRMED: gettext_noop("is confirmed and being packed"),
    S.SHIPPED: gettext_noop("has been shipped"),
    S.DELIVERED: gettext_noop("has been delivered"),
    S.COMPLETE: gettext_noop("is complete"),
    S.ON_HOLD: gettext_noop("is on hold"),
    S.CANCELLED: gettext_noop("has been cancelled"),
}
# Where a person should still look after the automatic answer.
TRACKING_TROUBLE = frozenset({T.ATTEMPT_FAILED, T.EXCEPTION, T.RETURNED, T.EXPIRED})
STATUS_TROUBLE = frozenset({S.ON_HOLD, S.CANCELLED})
# After these, an expected delivery date means nothing any more.
FINAL = frozenset({T.DELIVERED, T.RETURNED, T.EXPIRED})


def answer_tracking_question(thread: Thread, message: Message) -> Message | None:
    """The automatic answer to `message`, just filed in `thread` (locked), when it
    asks where the order is and may be answered (see above); None otherwise."""
    order = thread.order
    if (
        message.direction != Direction.INBOUND
        or message.visibility != Visibility.PUBLIC
        or not message.author_customer_id
        or message.author_customer_id != order.customer_id
    ):
        return None
    question = tracking_questions.read(_question_text(message))
    if not question.asks_where or not _may_answer(thread, message.created_at):
        return None
    with translation.override(LANGUAGES[question.language]):
        body = answer_text(order)
    try:  # refused before it writes anything: a channel that cannot carry it
        delivery = queue_reply(
            thread, message.channel, body, language=LANGUAGES[question.language]
        )
    except ApplicationError as exc:
        logger.info("no automatic answer on order %s: %s", order.pk, exc.message)
        return None
    answer = thread_add_message(
        thread,
        channel=message.channel,
        direction=Direction.OUTBOUND,
        automatic=True,
        body=body,
        **delivery_fields(delivery),
        created_at=timezone.now(),
    )
    # Settled when this message alone made the thread wait, and the answer says all.
    settled = (
        not question.other
        and not _in_trouble(order)
        and thread.awaiting_reply_since == message.created_at
    )
    fields = {"auto_answered_at": answer.created_at}
    if settled:
        fields["awaiting_reply_since"] = None
    thread_record_message(thread, answer, **fields)
    order_audit(
        "message.auto_answered",
        order=order,
        target=answer,
        actor_label="automatic answer",
        channel=message.channel,
        settled=settled,
    )
    return answer


def _question_text(message: Message) -> str:
    """The text, and an email's subject unless it is a reply's ("Re: ...")."""
    subject = message.subject
    if subject and subject.split(":", 1)[0].strip().lower() in {"re", "sv", "vs", "aw"}:
        subject = ""
    return f"{subject}\n{message.body}" if subject else message.body


def _may_answer(thread: Thread, at) -> bool:
    if thread.auto_answered_at and thread.auto_answered_at > at - ONCE_PER:
        return False
    if not support_settings([thread.store_id])[thread.store_id].auto_answers:
        return False
    return not thread.messages.filter(
        direction=Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        author_user__isnull=False,
        created_at__gte=at - QUIET_AFTER_STAFF,
    ).exists()


def _tracked(order: Order) -> bool:
    """The courier has news of it: its tracking says where it is (before that,
    the order's own status does)."""
    return bool(order.has_tracking) and order.tracking_status not in ("", T.PENDING)


def _in_trouble(order: Order) -> bool:
    if _tracked(order):
        return order.tracking_status in TRACKING_TROUBLE
    return order.status in STATUS_TROUBLE


def answer_text(order: Order) -> str:
    """The answer, in the active language: where the order is, the courier's latest
    scan, the expected delivery and the tracking link, and that it was automatic."""
    store = store_name_for_customers(order.store)
    tracked = _tracked(order)
    if tracked:
        phrase = TRACKING_PHRASES.get(
            order.tracking_status, TRACKING_PHRASES[T.INFO_RECEIVED]
        )
    else:
        phrase = STATUS_PHRASES.get(order.status, STATUS_PHRASES[S.PENDING])
    name = order.customer.name if order.customer_id else ""
    lines = [
        _("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
        "",
        _("Your order %(number)s from %(store)s %(status)s.")
        % {"number": order.order_number, "store": store, "status": _(phrase)},
    ]
    if tracked and order.tracking_event:
        when = ""
        if order.tracking_event_at:
            local = timezone.localtime(order.tracking_event_at, order.merchant.zone)
            when = f" ({formats.date_format(local, 'j M, H:i')})"
        lines.append(
            _("Latest update: %(event)s%(when)s.")
            % {"event": order.tracking_event.rstrip("."), "when": when}
        )
    if order.estimated_delivery and not (tracked and order.tracking_status in FINAL):
        lines.append(
            _("Expected delivery: %(date)s.")
            % {"date": formats.date_format(order.estimated_delivery, "l j F")}
        )
    if order.tracking_url:
        lines.append(_("Track your parcel: %(url)s") % {"url": order.tracking_url})
    lines += [
        "",
        _(
            "This is an automatic answer. If you need anything else, reply here and"
            " a person from our team will get back to you."
        ),
        "",
        brand_of(order.store).sign_off,
    ]
    return "\n".join(lines)
