"""Who among the merchant's people hears of a customer message (the bell and
the email digest read these SupportNotification rows)."""

from django.db.models import Q

from messaging.models import Message, SupportNotification, Thread
from orders.models import TEAM_ROLES, Membership


def notify_staff(thread: Thread, message: Message) -> None:
    """The assigned staff member hears of a customer message; when nobody is
    assigned, the store's team does (staff, admins, the store's resellers). The
    order's supplier hears of it too."""
    order = thread.order
    users = {order.assigned_staff_id} if order.assigned_staff_id else set()
    if not users:
        users = set(
            Membership.objects.filter(
                Q(role__in=TEAM_ROLES)
                | Q(role=Membership.Role.RESELLER, stores=order.store_id),
                merchant_id=order.merchant_id,
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
    if order.supplier_id:
        users.add(order.supplier_id)
    users.discard(message.author_user_id)
    _notify(users, message)


def notify_unmatched(message: Message) -> None:
    if message.merchant_id is None:
        return
    users = Membership.objects.filter(
        merchant_id=message.merchant_id, role__in=TEAM_ROLES, user__is_active=True
    ).values_list("user_id", flat=True)
    _notify(set(users), message)


def _notify(user_ids: set[int], message: Message) -> None:
    SupportNotification.objects.bulk_create(
        [SupportNotification(user_id=pk, message=message) for pk in user_ids if pk],
        ignore_conflicts=True,
    )
