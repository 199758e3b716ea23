"""The isolation sweeps' reading of the URL resolver (tests/urls_sweep.py): it finds
every URL of an app under its prefix and namespace, and names what a sweep misses."""

import pytest

from tests.urls_sweep import Route, app_routes, assert_swept


def test_an_apps_urls_are_found_with_their_prefix_namespace_and_ids():
    routes = app_routes("orders.urls", "orders.api.urls")

    assert routes["orders:detail"] == Route(
        "orders:detail", "orders/<int:pk>/", ("pk",)
    )
    assert routes["api-order-changes"] == Route(
        "api-order-changes", "api/orders/changes", ()
    )
    # Only these modules: another app's URLs under the same prefix are not listed.
    assert "api-order-messages" not in routes
    assert not [name for name in routes if name.startswith("admin:")]


def test_a_url_the_sweep_misses_is_named_with_its_route():
    routes = app_routes("orders.urls")
    covered = set(routes) - {"orders:assign", "orders:list"}

    with pytest.raises(AssertionError) as failed:
        assert_swept(
            routes,
            by_id=[name for name in covered if routes[name].params],
            other=[name for name in covered if not routes[name].params]
            + ["orders:gone"],
        )

    message = str(failed.value)
    assert "orders:assign (orders/<int:pk>/assign/) takes pk" in message
    assert "orders:list (orders/) is not in the sweep" in message
    assert "orders:gone is in the sweep but is no longer a URL of the app" in message
