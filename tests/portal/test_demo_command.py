"""`manage.py demo`: the whole demo as `make run` loads it, in one process and in
bulk. Its content is what the demo had when every order went through the services
one at a time (counts taken from that demo, seed 2026)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from invoices.models import CreditNote, Invoice, Payment, Statement
from messaging.models import Message, Thread
from orders.models import Customer, Order, OrderEvent, OrderLine
from orders.state_machine import OrderStatus
from performile.models import OutboxMessage
from portal.models import DeliveryAddress
from shipments.models import Shipment
from shipments.polling import FINAL

pytestmark = pytest.mark.django_db

# What the demo held right after loading, when it was written through the services.
BEFORE = {
    Order: 300,
    Customer: 60,
    OrderLine: 502,
    OrderEvent: 1488,
    Thread: 232,
    # 638 and 571 before automatic answers: a question they settle gets no staff
    # reply (demo.messaging), the conversations still waiting got one more message.
    Message: 637,
    OutboxMessage: 570,
    Invoice: 221,
    Payment: 185,
    CreditNote: 2,
    Shipment: 100,
    DeliveryAddress: 8,
}


def _demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # its commits answer the events, as live
def test_the_demo_has_all_it_had_when_written_one_order_at_a_time():
    output = _demo(sign_ins=True)
    for model, count in BEFORE.items():
        assert model.objects.count() >= count, model.__name__
    assert Statement.objects.exists()
    statuses = dict(Order.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(OrderStatus.values)
    assert statuses[OrderStatus.COMPLETE] == 67
    changes = OrderEvent.objects.filter(kind=OrderEvent.Kind.STATUS_CHANGED)
    system = Message.objects.filter(channel=Message.Channel.SYSTEM)
    assert system.count() >= changes.count()
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
    # Timelines and threads read as two months of work, dated when it happened.
    assert len({event.created_at.date() for event in changes}) > 30
    for order in Order.objects.filter(thread__isnull=False)[:50]:
        changed = order.events.filter(kind=OrderEvent.Kind.STATUS_CHANGED)
        announced = system.filter(thread=order.thread).order_by("created_at")
        times = [message.created_at for message in announced]
        assert (
            sorted(changed.values_list("created_at", flat=True))
            == times[: changed.count()]
        )
    # The sign-ins close the output, indented under the banner of `make run`.
    assert "  Demo sign-ins (password for all:" in output
    assert output.rstrip().splitlines()[-1].strip().startswith("Customer portal")


def test_a_second_run_adds_nothing(tmp_path):
    call_command("demo_data", orders=40, stdout=StringIO())
    _demo()
    counts = [model.objects.count() for model in BEFORE]
    output = _demo(sandbox_state=tmp_path / "sandbox.json")
    assert [model.objects.count() for model in BEFORE] == counts
    assert "left as is" in output


def test_every_open_sandbox_parcel_is_in_the_sandbox_state_file(tmp_path):
    """The sandbox courier starts knowing each parcel it will be asked about."""
    state = tmp_path / "sandbox.json"
    call_command("demo_data", orders=60, stdout=StringIO())
    output = _demo(sandbox_state=state)
    rows = json.loads(state.read_text())["shipments"]
    open_parcels = Shipment.objects.filter(account__courier="sandbox").exclude(
        status__in=FINAL
    )
    assert open_parcels.exists()
    assert set(open_parcels.values_list("tracking_number", flat=True)) == {
        row["tracking_number"] for row in rows
    }
    assert f"Sandbox courier: {len(rows)} parcel(s) added" in output


def test_the_recent_documents_pdfs_are_queued_so_healthz_has_nothing_late():
    from performile import pending
    from performile.celery import app as celery_app

    call_command("demo_data", orders=60, stdout=StringIO())
    celery_app.conf.task_always_eager = True  # the documents worker, at once
    try:
        _demo()
    finally:
        celery_app.conf.task_always_eager = False

    waiting, late = pending.report()
    assert late == []
    assert waiting["invoice_pdfs"]["pending"] == 0
    assert Invoice.objects.exclude(pdf="").exists()
