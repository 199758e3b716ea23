"""What no view answered has the API's error shape under /api/ and /webhooks/, and
a page for people (performile.error_pages)."""

import pytest
from django.test import RequestFactory

from performile.error_pages import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/orders/not-an-id/"),
        ("get", "/api/no-such-endpoint"),
        ("post", "/webhooks/shopify/not-a-key/orders"),
        ("post", "/webhooks/nowhere/6f1c2a5e-0000-4000-8000-000000000000"),
    ],
)
def test_a_url_nothing_answers_is_a_json_404_under_the_api(staff_api, method, path):
    response = getattr(staff_api, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {
        "code": "not_found",
        "message": f"Nothing at {path}.",
    }


def test_people_get_the_404_page(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/orders/no/such/page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "kind"), [("/api/orders/", "application/json"), ("/orders/", "text/html")]
)
def test_an_unhandled_error_is_a_500_in_the_shape_of_its_url(path, kind):
    request = RequestFactory().get(path)
    try:
        raise ValueError("a bug")
    except ValueError:  # Django calls the handler while handling the error
        response = server_error(request)

    assert response.status_code == 500
    assert response["Content-Type"].startswith(kind)
    if kind == "application/json":
        assert b'"code": "server_error"' in response.content


@pytest.mark.parametrize(
    ("method", "path", "content_type", "status"),
    [
        ("delete", "/api/orders/", "application/json", 405),  # a DRF view
        (
            "get",
            "/webhooks/shopify/6f1c2a5e-0000-4000-8000-000000000000/orders",
            "",
            405,
        ),
        ("post", "/api/orders/", "text/xml", 415),
    ],
)
def test_other_refusals_under_the_api_have_the_same_shape(
    staff_api, method, path, content_type, status
):
    kwargs = {"data": "<order/>", "content_type": content_type} if content_type else {}
    response = getattr(staff_api, method)(path, **kwargs)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]
