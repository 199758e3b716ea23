"""The one sign-in check of the staff pages and the portal
(performile.htmx.login_required_htmx): a plain request is redirected to sign-in and
comes back afterwards; an htmx request whose session has ended sends the whole
page there (HX-Redirect), back to the page it came from, not to the fragment."""

from urllib.parse import quote

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (page, the sign-in it sends to)
SIGNED_IN_PAGES = [
    pytest.param("orders:list", "account_login", id="orders"),
    pytest.param("invoices:list", "account_login", id="invoices"),
    pytest.param("messaging:inbox", "account_login", id="messages"),
    pytest.param("portal:dashboard", "portal:login", id="portal"),
]


@pytest.mark.parametrize(("page", "login"), SIGNED_IN_PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client, page, login):
    url = reverse(page)
    response = client.get(f"{url}?x=1")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(login)}?next={quote(url + '?x=1')}"


@pytest.mark.parametrize(("page", "login"), SIGNED_IN_PAGES)
def test_an_htmx_request_sends_the_whole_page_to_sign_in(client, page, login):
    url = reverse(page)
    response = client.get(
        url,
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver{url}?page=2",
        },
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse(login)}?next={quote(url + '?page=2')}"
