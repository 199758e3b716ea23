"""Query values the API cannot use: a cursor we did not hand out is a 400 naming
`cursor`; a NUL character anywhere in the query string is a 400."""

import base64

import pytest
from django.urls import reverse

from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def encoded(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


@pytest.mark.parametrize("url_name", ["api-orders", "api-invoices"])
@pytest.mark.parametrize(
    "cursor",
    [
        encoded("p=abc"),  # a position that is not an id
        encoded("p=99999999999999999999999"),  # past bigint
        encoded("p=١٢"),  # digits, but not ASCII ones
        "not base64 at all!",
        encoded("o=-1"),
    ],
)
def test_a_cursor_we_did_not_hand_out_is_400_naming_it(staff_api, url_name, cursor):
    response = staff_api.get(reverse(url_name), {"cursor": cursor})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"cursor": ["Invalid cursor."]}


def test_the_next_link_pages_on(staff_api, store):
    orders = [OrderFactory(store=store) for _ in range(3)]

    first = staff_api.get(reverse("api-orders"), {"page_size": 2}).json()
    second = staff_api.get(first["next"]).json()

    assert [row["id"] for row in first["results"] + second["results"]] == [
        order.pk for order in reversed(orders)
    ]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/admin/messages/search?q=%00", "application/json"),
        ("/api/orders/?search=a%00b", "application/json"),
        ("/orders/?q=%00", "text/html"),
    ],
)
def test_a_nul_in_a_query_value_is_400(staff_api, client, staff_user, path, kind):
    client.force_login(staff_user)
    response = (staff_api if path.startswith("/api/") else client).get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith(kind)
    if kind == "application/json":
        assert "NUL" in response.json()["error"]["message"]
