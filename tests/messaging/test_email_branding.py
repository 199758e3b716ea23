"""Customer emails in the store's branding, as they leave through Django's locmem
mail backend: a text part and an HTML part, From the store's name at the
platform's address, the logo, colour, sign-off and footer; the customer's and
the staff's words escaped; the threading headers kept; the template's words in
the customer's language. And the branding form on the Settings page."""

import io
import os
from datetime import timedelta
from email import message_from_bytes, policy
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from messaging import services
from messaging.models import Message, StoreBranding
from messaging.models.branding import DEFAULT_COLOUR
from messaging.notifications.customers import customer_notify, status_notice
from orders.notifications import order_send_tracking_notification
from orders.state_machine import OrderStatus as S
from performile import outbox
from performile.models import AuditEvent, OutboxMessage
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
SIGN_OFF = "Kind regards,\nThe Nordisk Te team"
TRACKING = "https://track.example/PN123456"


def png(size=(120, 40), colour=(31, 111, 74), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PUBLIC_BASE_URL = "https://app.performile.example"
    settings.DEFAULT_FROM_EMAIL = "Performile <no-reply@performile.example>"


@pytest.fixture
def eva(merchant):
    return CustomerFactory(merchant=merchant, name="Eva Berg", email="eva@example.com")


@pytest.fixture
def order(store, eva):
    return OrderFactory(
        store=store,
        customer=eva,
        order_number="ORD-1",
        tracking_number="PN123456",
        courier="PostNord",
        tracking_url=TRACKING,
        tracking_status="in_transit",
    )


@pytest.fixture
def branded(store, admin_member):
    return services.store_branding_update(
        store=store,
        actor=admin_member,
        display_name="Nordisk Te",
        colour="#1F6F4A",
        sign_off=SIGN_OFF,
        footer="Tegatan 1, 111 22 Stockholm",
        logo=SimpleUploadedFile("logo.png", png(), content_type="image/png"),
    )


@pytest.fixture
def sent(eager_celery, django_capture_on_commit_callbacks):
    """Run `call` and send what it queued; the emails as they went out."""

    def run(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            call(**kwargs)
        return mail.outbox

    return run


def parts(email) -> tuple[str, str]:
    (html, mimetype), *_ = email.alternatives
    assert mimetype == "text/html"
    return email.body, html


def sender(email) -> tuple[str, str]:
    return parseaddr(str(email.message()["From"]))


def test_a_notification_goes_out_as_text_and_branded_html(order, branded, sent):
    """The status email: From the store's display name at the platform's address,
    the logo, colour, facts, a tracking button, the sign-off and the footer in the
    HTML, and the same words in the text part."""
    order.status = S.SHIPPED
    notice = status_notice(order, S.SHIPPED)

    (email,) = sent(customer_notify, order=order, notice=notice)

    text, html = parts(email)
    assert sender(email) == ("Nordisk Te", "no-reply@performile.example")
    assert email.from_email == "Performile <no-reply@performile.example>"
    assert email.subject == "Your order ORD-1 is on its way"
    logo = f"https://app.performile.example/brand/logos/{branded.logo.name[9:]}"
    assert f'src="{logo}"' in html
    assert "background-color:#1f6f4a" in html
    assert f'href="{TRACKING}"' in html
    assert "Track your parcel</a>" in html
    assert "Tracking number: PN123456" in html
    assert "Kind regards,<br>The Nordisk Te team" in html
    assert "Tegatan 1, 111 22 Stockholm" in html
    assert "Hello Eva Berg," in text
    assert "Tracking number: PN123456" in text
    assert f"Track your parcel: {TRACKING}" in text
    assert "Kind regards,\nThe Nordisk Te team" in text
    assert "Tegatan 1, 111 22 Stockholm" in text
    recorded = OutboxMessage.objects.get()
    assert recorded.html == html
    assert recorded.body == text


def test_the_logo_is_served_to_mail_clients_without_a_sign_in(client, branded):
    name = branded.logo.name.removeprefix("branding/")

    response = client.get(reverse("brand-logo", args=[name]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png()
    assert client.get(reverse("brand-logo", args=["nothing.png"])).status_code == 404
    branded.logo.storage.delete(branded.logo.name)
    assert client.get(reverse("brand-logo", args=[name])).status_code == 404


def test_hostile_words_are_escaped_in_the_html(store, merchant, staff_user, sent):
    """A customer's name and a staff reply are text, never markup."""
    customer = CustomerFactory(
        merchant=merchant, name="<script>alert(1)</script>", email="x@example.com"
    )
    order = OrderFactory(store=store, customer=customer, order_number="ORD-2")
    services.store_branding_update(
        store=store, actor=None, footer='<img src=x onerror="alert(2)">'
    )
    body = "Hello <b>there</b>,\n<script>alert(3)</script>\n\nSecond paragraph."

    (email,) = sent(services.message_reply, order=order, actor=staff_user, body=body)

    text, html = parts(email)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "Hello &lt;b&gt;there&lt;/b&gt;,<br>" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    assert text.startswith(body)
    notice = status_notice(order, S.CONFIRMED)
    mail.outbox.clear()
    (email,) = sent(customer_notify, order=order, notice=notice)
    assert "<script>" not in parts(email)[1]
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in parts(email)[1]


def test_a_store_without_branding_gets_the_defaults(order, staff_user, sent):
    """The store's name as the sender and the heading, a dark header, "Kind
    regards," and the name; no logo, no footer."""
    (email,) = sent(services.message_reply, order=order, actor=staff_user, body="Hi")

    text, html = parts(email)
    assert sender(email)[0] == "Nordic Goods"
    assert f"background-color:{DEFAULT_COLOUR}" in html
    assert "<img" not in html
    assert ">Nordic Goods</span>" in html
    assert text == "Hi\n\nKind regards,\nNordic Goods"
    assert not StoreBranding.objects.exists()


def test_a_name_beyond_ascii_and_with_quotes_survives_the_from_header(
    order, store, staff_user, sent
):
    name = 'Te "&" Kaffe i Åre'
    services.store_branding_update(store=store, actor=None, display_name=name)

    (email,) = sent(services.message_reply, order=order, actor=staff_user, body="Hi")

    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    (address,) = parsed["From"].addresses
    assert address.display_name == name
    assert address.addr_spec == "no-reply@performile.example"


def test_a_reply_keeps_its_threading_headers(order, eva, staff_user, branded, sent):
    inbound = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=eva.email,
        subject="ORD-1",
        body="Where is it?",
        provider_message_id="<q1@mail.example>",
    )

    (email,) = sent(
        services.message_reply, order=order, actor=staff_user, body="Tomorrow."
    )

    headers = email.message()
    assert headers["In-Reply-To"] == "<q1@mail.example>"
    assert headers["References"] == "<q1@mail.example>"
    assert headers["Message-ID"].startswith(f"<t-{inbound.thread.token}.")
    assert email.extra_headers["Message-ID"] == headers["Message-ID"]
    assert "Kind regards,\nThe Nordisk Te team" in email.body


def test_a_signed_reply_is_not_signed_twice(order, staff_user, branded, sent):
    body = f"Tomorrow.\n\n{SIGN_OFF}"

    (email,) = sent(services.message_reply, order=order, actor=staff_user, body=body)

    assert email.body.count("The Nordisk Te team") == 1
    assert parts(email)[1].count("The Nordisk Te team") == 1


def test_the_orders_views_send_notification_is_branded(
    order, staff_user, branded, sent
):
    (email,) = sent(order_send_tracking_notification, order=order, actor=staff_user)

    text, html = parts(email)
    assert sender(email)[0] == "Nordisk Te"
    assert f'href="{TRACKING}"' in html
    assert "Status: In transit" in html
    assert "Kind regards,\nThe Nordisk Te team" in text


def test_a_swedish_customer_gets_the_templates_swedish_words(
    order, eva, customer, staff_user, sent
):
    """The template's own words follow the customer's language; the default
    sign-off too. A customer with a portal account gets the preferences link."""
    eva.language = "sv"
    eva.user = customer.user
    customer.user = None
    customer.save()
    eva.save()
    order.status = S.SHIPPED
    notice = status_notice(order, S.SHIPPED)

    (email,) = sent(customer_notify, order=order, notice=notice)

    text, html = parts(email)
    assert '<html lang="sv">' in html
    assert "Spåra ditt paket</a>" in html
    assert "Vänliga hälsningar,<br>Nordic Goods" in html
    assert f"Spåra ditt paket: {TRACKING}" in text
    profile = "https://app.performile.example" + reverse("portal:profile")
    assert f'href="{profile}"' in html
    assert f"Välj vilka mejl du får: {profile}" in text


def test_a_held_digest_message_gets_the_newer_html(order):
    """The digest's newest notice replaces the held one's text and HTML alike."""
    digest = {
        "channel": "email",
        "recipient": "eva@example.com",
        "digest_key": f"notice:{order.pk}:email:eva@example.com",
        "digest_window": timedelta(minutes=5),
    }
    outbox.enqueue(**digest, body="one", html="<p>one</p>")
    held = outbox.enqueue(**digest, body="two", html="<p>two</p>")

    again = outbox.enqueue(**digest, body="three", html="<p>three</p>")

    assert again.pk == held.pk
    held.refresh_from_db()
    assert (held.body, held.html) == ("three", "<p>three</p>")


# --- The settings form ------------------------------------------------------------


def branding_url(store):
    return reverse("workspace:settings:branding", args=[store.pk])


def form(**overrides):
    return {
        "display_name": "Nordisk Te",
        "colour": "#1f6f4a",
        "sign_off": SIGN_OFF,
        "footer": "Tegatan 1",
        **overrides,
    }


def test_an_admin_saves_the_branding(client, admin_member, store):
    client.force_login(admin_member)
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")

    response = client.post(branding_url(store), form(logo=logo))

    assert response.status_code == 302
    saved = StoreBranding.objects.get(store=store)
    assert (saved.display_name, saved.colour, saved.sign_off) == (
        "Nordisk Te",
        "#1f6f4a",
        SIGN_OFF,
    )
    assert saved.logo.name.startswith("branding/")
    assert saved.logo.name.endswith(".png")
    event = AuditEvent.objects.get(action="store.branding_updated")
    assert event.data["logo"] == "replaced"
    page = client.get(branding_url(store)).content.decode()
    assert 'value="Nordisk Te"' in page
    assert "srcdoc=" in page


def test_an_admin_removes_the_logo(client, admin_member, store, branded):
    client.force_login(admin_member)

    client.post(branding_url(store), form(remove_logo="on"))

    assert not StoreBranding.objects.get(store=store).logo


def noisy_png() -> bytes:
    """A PNG over the 500 KB limit (noise does not compress)."""
    image = Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, content):
    return lambda: {"logo": SimpleUploadedFile(name, content())}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda: {"colour": "green"}, "colour"),
        (lambda: {"colour": "#12345g"}, "colour"),
        (upload("logo.png", lambda: b"not an image"), "logo"),
        (upload("big.png", noisy_png), "logo"),
        (upload("logo.bmp", lambda: png(fmt="BMP")), "logo"),
        (upload("logo.svg", lambda: b"<svg onload='alert(1)'/>"), "logo"),
    ],
    ids=["word", "not-hex", "not-an-image", "too-big", "bmp", "svg"],
)
def test_bad_input_is_refused_and_changes_nothing(
    client, admin_member, store, branded, overrides, field
):
    client.force_login(admin_member)
    before = StoreBranding.objects.get(store=store)

    response = client.post(branding_url(store), form(display_name="X", **overrides()))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    after = StoreBranding.objects.get(store=store)
    assert (after.display_name, after.colour, after.logo.name) == (
        before.display_name,
        before.colour,
        before.logo.name,
    )


def test_staff_cannot_change_the_branding(client, staff_user, store):
    client.force_login(staff_user)

    assert client.get(branding_url(store)).status_code == 404
    assert client.post(branding_url(store), form()).status_code == 404
    assert not StoreBranding.objects.exists()


def test_another_merchants_store_is_404(client, admin_member, other_store):
    client.force_login(admin_member)

    assert client.post(branding_url(other_store), form()).status_code == 404
    assert not StoreBranding.objects.exists()


def test_notices_name_the_store_as_customers_know_it(order, branded, store):
    """The sentences, not only the sender, say the display name: never the
    internal store name the team set up the shop with."""
    store.name = "NT webshop (SE)"
    store.save(update_fields=["name"])
    notice = status_notice(order, S.SHIPPED)
    assert "from Nordisk Te" in notice.body
    assert notice.text.startswith("Nordisk Te: ")
    assert "NT webshop" not in notice.body + notice.text
