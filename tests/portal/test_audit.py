"""Every portal page a customer opens is in the audit trail (portal.audit), with
what they searched for; every PDF they download is their stamped copy. The sweep
covers every portal URL: a new one that is in neither table fails
`test_every_portal_url_is_in_the_sweep`."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import services as messaging
from performile.models import AuditEvent
from tests.factories import OrderFactory, OrderLineFactory
from tests.pdfs import text_runs
from tests.portal.test_isolation import customer_records
from tests.urls_sweep import app_routes

pytestmark = pytest.mark.django_db

# Every page a customer opens with GET: the kind of record its URL names, and the
# query it is opened with.
PAGES = {
    "dashboard": (None, {}),
    "orders": (None, {"q": "A-1", "status": "active"}),
    "orders_detail": ("order", {}),
    "orders_live": ("order", {"part": "row"}),  # opened as a page, not refreshed
    "orders_confirmation": ("order", {}),
    "messages": (None, {}),
    "messages_new": (None, {}),
    "messages_attachment": ("attachment", {}),
    "invoices": (None, {"status": "pending"}),
    "invoices_detail": ("invoice", {}),
    "invoices_pdf": ("invoice", {"inline": "1"}),
    "invoices_credit_note_pdf": ("credit_note", {}),
    "invoices_statements": (None, {}),
    "invoices_statement": ("statement", {}),
    "invoices_statement_pdf": ("statement", {}),
    "invoices_payments": (None, {"page": "1"}),
    "invoices_export": (None, {}),
    "profile": (None, {}),
    "profile_address_new": (None, {}),
    "profile_address_edit": ("address", {}),
    "profile_export": (None, {}),
    "help": (None, {}),
}
# The pages that record what they show or serve under a name of their own.
OWN = {
    "orders_confirmation": "order_confirmation.downloaded",
    "invoices_detail": "invoice.viewed",
    "invoices_pdf": "invoice.downloaded",
    "invoices_credit_note_pdf": "credit_note.downloaded",
    "invoices_statement": "statement.viewed",
    "invoices_statement_pdf": "statement.downloaded",
    "profile_export": "customer.exported",
}
# The other portal URLs: sign-in and sign-out (audited auth.*), and those that
# only take a POST (what they change, their service audits).
SIGN_IN = {"login", "logout"}
POST_ONLY = {
    "session": None,
    "messages_send": "order",
    "profile_contact": None,
    "profile_verify": None,
    "profile_notifications": None,
    "profile_language": None,
    "profile_address_delete": "address",
    "profile_address_default": "address",
    "profile_erasure": None,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mine(store, portal_customer, staff_user):
    """The customer's order (long enough for a confirmation of two pages), its
    invoice, a payment and a credit note, a statement and an address."""
    order = OrderFactory(
        store=store,
        customer=portal_customer,
        order_number="A-1001",
        amount=Decimal("3600.00"),
    )
    for n in range(60):
        OrderLineFactory(
            order=order, title=f"Item {n}", quantity=1, unit_price=Decimal("60.00")
        )
    return customer_records(order, staff_user)


def page_url(name, kind, records) -> str:
    return reverse(f"portal:{name}", args=[records[kind].pk] if kind else [])


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_portal_url_is_in_the_sweep():
    names = {name.removeprefix("portal:") for name in app_routes("portal.urls")}
    assert names == set(PAGES) | SIGN_IN | set(POST_ONLY)


def test_every_page_a_customer_opens_is_audited_once(
    portal, portal_user, portal_customer, mine
):
    """One row per page: `portal.<url name>` with the customer, their merchant,
    the order a page is about and the query; or the page's own event (an invoice
    viewed, a document downloaded)."""
    for name, (kind, query) in PAGES.items():
        since = last_event_id()
        response = portal.get(page_url(name, kind, mine), query)

        assert response.status_code == 200, name
        events = new_events(since)
        assert [event.action for event in events] == [
            OWN.get(name, f"portal.{name}")
        ], name
        event = events[0]
        assert event.actor == portal_user, name
        assert event.merchant_id == portal_customer.merchant_id, name
        if name in OWN:
            continue
        assert (event.object_type, event.object_id) == (
            "orders.customer",
            str(portal_customer.pk),
        ), name
        about_order = name.startswith("orders_")
        assert event.order_id == (mine["order"].pk if about_order else None), name
        assert event.data.get("query", {}) == query, name
        assert event.data.get("args", {}) == ({"pk": mine[kind].pk} if kind else {})


def test_every_pdf_a_customer_downloads_is_stamped_at_the_foot_of_every_page(
    portal, portal_customer, mine
):
    """The invoice, the credit note, the statement and the order confirmation:
    the customer's copy, upright at the foot of each page; the confirmation and
    the invoice of 60 lines take two pages or more."""
    stamp = f"Downloaded by customer {portal_customer.customer_number}"
    for name, (kind, query) in PAGES.items():
        response = portal.get(page_url(name, kind, mine), query)
        if response["Content-Type"] != "application/pdf":
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
            continue
        # The browser's PDF viewer frames it: no CSP (performile.headers).
        assert "Content-Security-Policy" not in response, name
        runs = text_runs(response.content)
        stamps = [run for run in runs if run.text.startswith(stamp)]
        pages = max(run.page for run in runs) + 1
        assert [run.page for run in stamps] == list(range(pages)), name
        assert all(run.upright and run.y < 0.15 * run.height for run in stamps), name
        if name in ("orders_confirmation", "invoices_pdf"):
            assert pages >= 2, name
        downloaded = AuditEvent.objects.filter(action=OWN[name]).last()
        assert downloaded.data["copy"] == "customer", name


def test_the_export_is_recorded_once_as_the_export(portal, mine):
    """Without parameters the export URL is the form (a page view); with them, the
    CSV, recorded `invoices.exported` only."""
    since = last_event_id()
    day = mine["invoice"].issue_date.isoformat()
    response = portal.get(
        reverse("portal:invoices_export"), {"kind": "all", "start": day, "end": day}
    )

    assert response.status_code == 200
    assert [event.action for event in new_events(since)] == ["invoices.exported"]


def test_the_merchants_people_get_the_confirmation_without_the_stamp(
    client, staff_user, mine
):
    client.force_login(staff_user)
    response = client.get(reverse("invoices:confirmation", args=[mine["order"].pk]))

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert not any("Downloaded by" in run.text for run in text_runs(response.content))
    event = AuditEvent.objects.get(action="order_confirmation.downloaded")
    assert (event.actor, event.data["copy"]) == (staff_user, "rendered")


def test_opening_a_thread_with_replies_not_read_yet_is_recorded_as_read_once(
    portal, portal_user, staff_user, mine
):
    """Reading the replies is the view's own row (`message.read`); opened again,
    with nothing new, it is a page view."""
    order = mine["order"]
    messaging.message_reply(
        order=order, actor=staff_user, body="On its way.", channel="in_app"
    )
    since = last_event_id()

    portal.get(reverse("portal:messages"), {"order": order.pk})
    portal.get(reverse("portal:messages"), {"order": order.pk})

    read, viewed = new_events(since)
    assert (read.action, read.actor, read.order_id) == (
        "message.read",
        portal_user,
        order.pk,
    )
    assert (viewed.action, viewed.order_id) == ("portal.messages", order.pk)


def test_searches_are_recorded_with_their_terms(portal, mine):
    since = last_event_id()
    portal.get(
        reverse("portal:orders"),
        {
            "q": "A-10",
            "status": "delivered",
            "placed_from": "2026-01-01",
            "placed_to": "",
            "page": "2",
        },
    )
    portal.get(reverse("portal:invoices"), {"status": "overdue", "start": "2026-01-01"})
    portal.get(reverse("portal:messages"), {"order": mine["order"].pk})

    orders, invoices, thread = new_events(since)
    assert orders.action == "portal.orders"
    # Empty fields are not terms.
    assert orders.data["query"] == {
        "q": "A-10",
        "status": "delivered",
        "placed_from": "2026-01-01",
        "page": "2",
    }
    assert invoices.data["query"] == {"status": "overdue", "start": "2026-01-01"}
    assert (thread.action, thread.order_id) == ("portal.messages", mine["order"].pk)


def test_a_page_view_costs_one_insert_and_no_other_query(portal, mine):
    """The same page, refreshed by the live script (not recorded) and opened by
    the customer: one query more, the audit's INSERT (the customer is the one
    `customer_required` fetched already)."""
    url = reverse("portal:orders_detail", args=[mine["order"].pk])
    portal.get(url)  # the session's idle clock starts: no write in the next two

    with CaptureQueriesContext(connection) as refreshed:
        portal.get(url, HTTP_X_PORTAL_LIVE="1")
    with CaptureQueriesContext(connection) as viewed:
        portal.get(url)

    def inserts(queries):
        return [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].startswith('INSERT INTO "performile_auditevent"')
        ]

    assert len(viewed) == len(refreshed) + 1
    assert (len(inserts(refreshed)), len(inserts(viewed))) == (0, 1)


def test_live_refreshes_and_refusals_are_not_recorded(portal, mine):
    """The live script's fragments (`X-Portal-Live: 1`), a search the page refuses
    (400), a POST to a page that takes none (405)."""
    since = last_event_id()
    live = reverse("portal:orders_live", args=[mine["order"].pk])

    assert portal.get(live, {"part": "card"}, HTTP_X_PORTAL_LIVE="1").status_code == 200
    assert portal.get(reverse("portal:orders"), {"status": "x"}).status_code == 400
    assert portal.post(reverse("portal:dashboard")).status_code == 405

    assert new_events(since) == []


def test_a_signed_out_visitor_is_not_recorded(client):
    since = last_event_id()
    assert client.get(reverse("portal:help")).status_code == 200
    assert client.get(reverse("portal:orders")).status_code == 302
    assert new_events(since) == []


def test_the_post_only_urls_are_not_pages(portal, mine):
    since = last_event_id()
    for name, kind in POST_ONLY.items():
        assert portal.get(page_url(name, kind, mine)).status_code == 405, name
    assert new_events(since) == []


def test_an_action_is_recorded_once(portal, portal_user, mine):
    """A POST its service audits keeps that row only; one that records nothing of
    its own (sending the verification email again) gets the page's row."""
    since = last_event_id()
    address = {
        "name": "Anna Berg",
        "line1": "Vägen 2",
        "postal_code": "222 22",
        "city": "Lund",
        "country": "SE",
    }
    assert (
        portal.post(reverse("portal:profile_address_new"), address).status_code == 302
    )
    assert portal.post(reverse("portal:profile_verify")).status_code == 302

    created, verify = new_events(since)
    assert created.action == "profile.address_created"
    assert (verify.action, verify.actor) == ("portal.profile_verify", portal_user)


def test_staff_find_the_page_views_in_the_admin(admin_client, portal, mine):
    portal.get(reverse("portal:orders"), {"q": "A-1001"})
    event = AuditEvent.objects.get(action="portal.orders")

    listed = admin_client.get(
        reverse("admin:performile_auditevent_changelist"), {"action": "portal.orders"}
    )
    shown = admin_client.get(
        reverse("admin:performile_auditevent_change", args=[event.pk])
    )

    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [event]
    assert shown.status_code == 200
    assert "A-1001" in shown.content.decode()
