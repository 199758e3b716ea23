import pytest

from orders import state_machine
from orders.models import OrderEvent
from orders.services import order_change_status
from orders.state_machine import TRANSITIONS, InvalidTransition, OrderStatus
from tests.factories import OrderFactory

S = OrderStatus
ALLOWED = [
    (source, target) for source, targets in TRANSITIONS.items() for target in targets
]
DISALLOWED = [
    (source, target)
    for source in S.values
    for target in S.values
    if target not in TRANSITIONS[source]
]


def test_every_status_has_a_row_in_the_table():
    """The table covers every status, and only known statuses."""
    assert set(TRANSITIONS) == set(S.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(S.values)


def test_standard_flows_are_walkable():
    """Both documented flows go from their first to their last status step by step."""
    for flow in (
        state_machine.SERVICE_FLOW,
        state_machine.PHYSICAL_FLOW + (S.COMPLETE,),
    ):
        for source, target in zip(flow, flow[1:], strict=False):
            assert state_machine.can_transition(source, target), (source, target)


@pytest.mark.parametrize("status", S.values)
def test_a_service_order_is_on_the_service_flow_whatever_its_status(status):
    """The portal's timeline and Discord's progress bar follow the same flow."""
    order = OrderFactory.build(service="Logo design", status=status)
    assert state_machine.flow_of(order) == state_machine.SERVICE_FLOW


@pytest.mark.parametrize("status", S.values)
def test_an_order_without_a_service_is_on_the_physical_flow(status):
    """A paid webshop order (payment verified) or one in progress is still physical."""
    order = OrderFactory.build(service="", status=status)
    assert state_machine.flow_of(order) == state_machine.PHYSICAL_FLOW


def test_final_statuses():
    assert state_machine.FINAL == {S.COMPLETE, S.CANCELLED}


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transition_changes_status_and_writes_event(
    source, target, store, staff_user
):
    """Each allowed transition moves the order and records who, from, to and why."""
    order = OrderFactory(store=store, status=source)
    order_change_status(order=order, to=target, actor=staff_user, note="because")
    order.refresh_from_db()
    assert order.status == target
    assert order.updated_by == staff_user
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.from_status, event.to_status) == (
        OrderEvent.Kind.STATUS_CHANGED,
        source,
        target,
    )
    assert event.actor == staff_user
    assert event.note == "because"


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), DISALLOWED)
def test_disallowed_transition_raises_and_changes_nothing(source, target):
    order = OrderFactory(status=source)
    with pytest.raises(InvalidTransition) as raised:
        order_change_status(order=order, to=target, actor_label="test")
    assert state_machine.label(source) in str(raised.value)
    order.refresh_from_db()
    assert order.status == source
    assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_status_change_is_announced_after_commit(django_capture_on_commit_callbacks):
    """order_status_changed is sent once the transaction commits, not before."""
    from orders.signals import order_status_changed

    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    order_status_changed.connect(receiver)
    try:
        order = OrderFactory(status=S.PENDING)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            order_change_status(order=order, to=S.CONFIRMED, actor_label="test")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        order_status_changed.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["order_id"] == order.pk
    assert (received[0]["from_status"], received[0]["to_status"]) == (
        S.PENDING,
        S.CONFIRMED,
    )
