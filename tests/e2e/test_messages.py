"""Order threads in a browser: a staff member reads a customer's message in the
order drawer and answers it; the Inbox on a phone."""

import pytest
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def asked(store, customer):
    """An order whose customer wrote by email."""
    order = OrderFactory(store=store, customer=customer, order_number="ORD-10042")
    services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject="Where is ORD-10042?",
        body="It has been a week, where is my parcel?",
        provider_message_id="<e2e-1@mail.example>",
    )
    return order


def test_staff_read_and_answer_a_customer_in_the_drawer(
    new_page, asgi_server, staff_user, asked, artifacts
):
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, asgi_server, staff_user)
    expect(page.get_by_role("link", name="Inbox")).to_contain_text("1")

    # The page's scripts are up (else the click opens the order as a page).
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    page.get_by_role("link", name="ORD-10042", exact=True).click()
    panel = page.locator("#drawer [data-thread-panel]")
    expect(panel).to_contain_text("It has been a week, where is my parcel?")
    expect(panel.locator(".msg--customer .msg-channel")).to_have_text("Email")
    expect(panel.get_by_role("separator")).to_have_text("New")

    composer = panel.locator("[data-composer-form]")
    composer.get_by_label("Message").fill("It left our warehouse today.")
    expect(composer.get_by_label("Send by")).to_contain_text("Auto: Email")
    composer.get_by_role("button", name="Send reply").click()

    reply = page.locator("#drawer .msg--team").filter(has_text="left our warehouse")
    expect(reply).to_be_visible()
    expect(reply.locator("[data-delivery]")).to_have_text("Queued")
    expect(page.locator("#toasts")).to_contain_text("Reply queued to go out by Email")
    expect(page.locator("#drawer [data-composer-form] textarea")).to_have_value("")
    page.screenshot(path=artifacts / "messages-drawer.png")

    # A customer message arriving on the live socket appears in the open panel,
    # keeps the draft being written, and needs no toast.
    page.locator("#drawer [data-composer-form] textarea").fill("Half a thought")
    services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=asked.customer.email,
        subject="Re: Where is ORD-10042?",
        body="Thanks, and the tracking number?",
        provider_message_id="<e2e-2@mail.example>",
    )
    expect(page.locator("#drawer .msg--customer").last).to_contain_text(
        "the tracking number?"
    )
    expect(page.locator("#drawer [data-composer-form] textarea")).to_have_value(
        "Half a thought"
    )
    expect(page.locator("#toasts")).not_to_contain_text("New customer message")

    # An internal note looks different and says so.
    composer = page.locator("#drawer [data-composer-form]")
    composer.get_by_label("Message").fill("Courier confirmed pickup.")
    composer.get_by_label("Internal note").check()
    composer.get_by_role("button", name="Add note").click()
    note = page.locator("#drawer .msg--note").filter(has_text="Courier confirmed")
    expect(note.locator(".msg-label")).to_have_text("Internal note")
    assert Message.objects.filter(visibility="internal").count() == 1


def test_staff_answer_from_a_canned_reply(
    new_page, asgi_server, staff_user, asked, merchant, customer, artifacts
):
    services.canned_reply_create(
        merchant=merchant,
        actor=staff_user,
        title="Leaves today",
        body="Hi {{customer_name}}, {{order_number}} leaves our warehouse today.",
    )
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, asgi_server, staff_user)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    page.get_by_role("link", name="ORD-10042", exact=True).click()
    composer = page.locator("#drawer [data-composer-form]")

    composer.get_by_label("Insert a canned reply").select_option(label="Leaves today")

    text = f"Hi {customer.name}, ORD-10042 leaves our warehouse today."
    expect(composer.get_by_label("Message")).to_have_value(text)
    page.screenshot(path=artifacts / "messages-canned.png")
    composer.get_by_role("button", name="Send reply").click()
    reply = page.locator("#drawer .msg--team").filter(has_text="leaves our warehouse")
    expect(reply).to_be_visible()


def test_the_inbox_by_keyboard(new_page, asgi_server, staff_user, asked, store):
    other = OrderFactory(
        store=store,
        customer=CustomerFactory(merchant=store.merchant),
        order_number="ORD-10043",
    )
    services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=other.customer.email,
        subject="ORD-10043",
        body="Can I change the colour?",
        provider_message_id="<e2e-keys@mail.example>",
    )
    page = new_page(viewport={"width": 1360, "height": 900})
    sign_in(page, asgi_server, staff_user)
    page.goto(f"{asgi_server}/messages/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-mode", "live")
    links = page.locator("#inbox-results .inbox-link")

    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("x")
    expect(page.locator("#inbox-results .inbox-select").nth(1)).to_be_checked()
    page.keyboard.press("k")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("/")
    expect(page.locator("#inbox_q")).to_be_focused()

    links.nth(0).focus()
    page.keyboard.press("Enter")
    pane = page.locator("#inbox-pane")
    expect(pane.locator("[data-thread-panel]")).to_be_visible()
    expect(page.locator("#inbox-results .inbox-row.is-current")).to_have_count(1)
    page.keyboard.press("r")
    expect(pane.locator("[data-composer-form] textarea")).to_be_focused()


def test_the_inbox_on_a_phone(new_page, asgi_server, staff_user, asked, artifacts):
    page = new_page(**PHONE)
    sign_in(page, asgi_server, staff_user)
    page.goto(f"{asgi_server}/messages/")
    row = page.locator("[data-thread-row]").first
    expect(row).to_contain_text("ORD-10042")
    expect(row.locator("[data-unread-badge]")).to_be_visible()
    box = row.bounding_box()
    assert box["width"] <= 390
    # Waited for, not read once: under load the layout may still be settling.
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.screenshot(path=artifacts / "inbox-phone.png", full_page=True)

    # Opening the thread shows the order on its messages and reads it.
    page.wait_for_function("window.htmx && window.PerformileMessages")
    row.get_by_role("link").click()
    pane = page.locator("#inbox-pane")
    expect(pane.locator("[data-thread-panel]")).to_contain_text("It has been a week")
    expect(pane.locator("#messages-heading")).to_be_in_viewport()
    expect(row.locator("[data-unread-badge]")).to_have_count(0)
    expect(page.locator("[data-inbox-count]")).to_have_count(0)
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.screenshot(path=artifacts / "inbox-thread-phone.png")

    # Back to the list, where it was.
    pane.get_by_role("button", name="Back to the conversations").click()
    expect(pane).to_be_hidden()
    expect(row.get_by_role("link")).to_be_focused()


def test_link_an_unmatched_message_and_see_the_metrics_on_a_phone(
    new_page, asgi_server, staff_user, asked, merchant, artifacts
):
    CustomerFactory(merchant=merchant, name="Nils Berg", phone="+46701112233")
    stray = services.message_receive(
        channel=Message.Channel.SMS,
        sender="+46701112233",
        body="Hi, did my blanket ship?",
        provider_message_id="SM-e2e-1",
    )
    stray.refresh_from_db()
    assert stray.thread is None
    page = new_page(**PHONE)
    sign_in(page, asgi_server, staff_user)
    page.goto(f"{asgi_server}/messages/unmatched/")
    item = page.locator(f"#unmatched-{stray.pk}")
    expect(item).to_contain_text("did my blanket ship?")
    item.get_by_label("Link to order").fill("NOPE-1")
    item.get_by_role("button", name="Link").click()
    expect(item.locator(".field-error")).to_contain_text("No order NOPE-1")
    item.get_by_label("Link to order").fill("ord-10042")
    page.screenshot(path=artifacts / "unmatched-phone.png", full_page=True)
    item.get_by_role("button", name="Link").click()
    expect(item).to_contain_text("Linked to order ORD-10042")
    expect(page.locator("#toasts")).to_contain_text("Message linked to order ORD-10042")
    stray.refresh_from_db()
    assert stray.thread.order_id == asked.pk

    page.goto(f"{asgi_server}/messages/metrics/")
    expect(page.get_by_role("heading", name="Per store")).to_be_visible()
    expect(page.locator(".metrics-table").first).to_contain_text("Nordic Goods")
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.screenshot(path=artifacts / "metrics-phone.png", full_page=True)


def test_staff_send_a_file_with_a_reply(
    new_page, asgi_server, staff_user, asked, settings, tmp_path, artifacts
):
    """On a phone: a PDF picked in the composer goes with the email reply, and the
    reply in the thread links it."""
    settings.MEDIA_ROOT = tmp_path
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, asgi_server, staff_user)
    page.goto(f"{asgi_server}{asked.get_absolute_url()}#messages")
    composer = page.locator("[data-composer-form]")
    expect(composer.locator("[data-files-note]")).to_contain_text(
        "Files go as attachments by email"
    )

    composer.get_by_label("Message").fill("Your receipt, attached.")
    composer.get_by_label("Attach files").set_input_files(
        {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 r"}
    )
    composer.screenshot(path=artifacts / "messages-composer-file-phone.png")
    composer.get_by_role("button", name="Send reply").click()

    reply = page.locator(".msg--team").filter(has_text="Your receipt, attached.")
    expect(reply.get_by_role("link", name="receipt.pdf")).to_be_visible()
    reply.screenshot(path=artifacts / "messages-reply-file-phone.png")
    message = Message.objects.get(author_user=staff_user)
    assert message.delivery.attachments[0]["filename"] == "receipt.pdf"
