import pytest
import time_machine
from django.urls import reverse

from performile.models import AuditEvent
from tests.portal.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/portal/login/"


def sign_in(client, login, password=PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


@pytest.mark.parametrize("login", ["anna@example.com", "C10000001", "c10000001"])
def test_a_customer_signs_in_with_email_or_customer_number(client, portal_user, login):
    response = sign_in(client, login)
    assert response.status_code == 302
    assert client.get("/").url == reverse("portal:dashboard")
    assert AuditEvent.objects.filter(
        action="auth.signed_in", actor=portal_user
    ).exists()


def test_a_wrong_password_is_refused_and_recorded(client, portal_user):
    response = sign_in(client, "C10000001", "nope")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert failed.data["login"] == "C10000001"


def test_an_unknown_customer_number_is_just_a_failed_sign_in(client, portal_user):
    assert sign_in(client, "C99999999").status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_login_out_even_with_the_right_password(
    client, portal_user
):
    for _ in range(5):
        sign_in(client, "anna@example.com", "wrong")
    response = sign_in(client, "anna@example.com")
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


@pytest.mark.parametrize(
    ("failed_with", "then"),
    [("anna@example.com", "C10000001"), ("c10000001", "ANNA@example.com")],
)
def test_the_lockout_is_per_account_whatever_identifier_is_typed(
    client, portal_user, failed_with, then
):
    for _ in range(5):
        sign_in(client, failed_with, "wrong")
    response = sign_in(client, then)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_another_account_is_not_locked_out_by_them(client, portal_user, staff_user):
    for _ in range(5):
        sign_in(client, "anna@example.com", "wrong")
    staff_user.set_password(PASSWORD)
    staff_user.save()
    response = sign_in(client, staff_user.username)
    assert response.status_code == 302


def test_the_merchants_people_land_on_the_dashboard(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "workspace/dashboard.html"


def test_signed_out_visitors_of_the_portal_go_to_its_sign_in(client, db):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_the_portal_does_not_exist_for_staff(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/portal/").status_code == 404


def test_a_session_ends_after_30_idle_minutes(client, portal_user):
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        sign_in(client, "C10000001")
        client.post(reverse("portal:session"))
        clock.shift(29 * 60)
        assert client.post(reverse("portal:session")).status_code == 200
        clock.shift(29 * 60)  # 29 minutes after the last request: still signed in
        assert client.post(reverse("portal:session")).status_code == 200
        clock.shift(31 * 60)
        response = client.get("/portal/")
    assert response.status_code == 302
    assert response.url == reverse("portal:login") + "?timeout=1"
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert b"signed out after 30 minutes" in page.content


def test_an_htmx_request_after_30_idle_minutes_sends_the_page_to_sign_in(
    client, portal_user
):
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        sign_in(client, "C10000001")
        client.post(reverse("portal:session"))
        clock.shift(31 * 60)
        response = client.get("/portal/orders/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("portal:login") + "?timeout=1"
    assert "_auth_user_id" not in client.session


def test_stay_signed_in_restarts_the_clock_at_once(client, portal_user):
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        sign_in(client, "C10000001")
        clock.shift(10)  # within the write interval: a page view alone is not noted
        assert client.post(reverse("portal:session")).status_code == 200
        clock.shift(30 * 60 - 5)  # 30:05 after sign-in, 29:55 after the click
        response = client.get("/portal/")
    assert response.status_code == 200


def test_live_refreshes_of_an_open_tab_do_not_keep_the_session(client, portal_user):
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        sign_in(client, "C10000001")
        client.get("/portal/")
        answers = []
        for _ in range(4):
            clock.shift(10 * 60)
            answers.append(
                client.get("/api/orders/changes", HTTP_X_PORTAL_LIVE="1").status_code
            )
    assert answers == [200, 200, 200, 401]
    assert "_auth_user_id" not in client.session


def test_staff_sessions_do_not_time_out_after_30_minutes(client, staff_user):
    with time_machine.travel("2026-06-01 10:00:00Z", tick=False) as clock:
        client.force_login(staff_user)
        client.get("/orders/")
        clock.shift(45 * 60)
        assert client.get("/orders/").status_code == 200


def test_sign_out_is_audited(portal, portal_user):
    portal.post(reverse("portal:logout"))
    assert AuditEvent.objects.filter(
        action="auth.signed_out", actor=portal_user
    ).exists()


def test_a_customer_resets_a_forgotten_password_by_email(
    client, portal_user, mailoutbox
):
    client.post(reverse("account_reset_password"), {"email": "anna@example.com"})
    assert len(mailoutbox) == 1
    link = next(
        word for word in mailoutbox[0].body.split() if "/password/reset/key/" in word
    )
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"password1": "a-new-Passw0rd!", "password2": "a-new-Passw0rd!"},
    )
    client.logout()
    response = client.post(LOGIN, {"login": "C10000001", "password": "a-new-Passw0rd!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(portal_user.pk)
