"""The isolation sweeps' URLs, read from the project's URL resolver.

Each app's sweep (tests/<app>/test_isolation.py) asks for every URL of its URLconf
modules, HTML and /api/ alike, and asks each one with another tenant's ids. A URL
added later that the sweep does not cover fails `assert_swept`, which names it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.test import Client
from django.urls import URLResolver, get_resolver

# Every method a view might answer; each is asked with the foreign id.
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str  # what reverse() takes: "orders:detail", "api-order-detail"
    route: str  # the whole path pattern: "orders/<int:pk>/"
    params: tuple[str, ...]  # its path parameters, in order: ("pk",)


def app_routes(*urlconfs: str) -> dict[str, Route]:
    """Every URL the project serves from these URLconf modules ("orders.urls",
    "orders.api.urls"), by name: under the prefix and namespace they are
    included with. A URL without a name is listed under "<unnamed route>"."""
    found: dict[str, Route] = {}
    _walk(get_resolver().url_patterns, "", (), (), set(urlconfs), False, found)
    return found


def _walk(patterns, prefix, namespaces, params, wanted, inside, found) -> None:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        names = (*params, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_name, "__name__", None)
            spaces = (
                (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            )
            _walk(
                pattern.url_patterns,
                route,
                spaces,
                names,
                wanted,
                inside or module in wanted,
                found,
            )
        elif inside:
            name = (
                ":".join((*namespaces, pattern.name))
                if pattern.name
                else f"<unnamed {route}>"
            )
            found[name] = Route(name, route, names)


def assert_swept(
    routes: Mapping[str, Route],
    *,
    by_id: Iterable[str],
    other: Iterable[str],
) -> None:
    """Every URL is in the sweep: one with an id in its path in `by_id` (asked with
    another tenant's ids), one without in `other` (how a foreign id could still
    reach it, or None and why none can). Fails naming each URL that is not, and
    each listed name that is no longer a URL of the app."""
    by_id, other = set(by_id), set(other)
    problems = []
    for name, route in sorted(routes.items()):
        if route.params and name not in by_id:
            problems.append(
                f"{name} ({route.route}) takes {', '.join(route.params)}: ask it with"
                " another tenant's id in the sweep"
            )
        elif not route.params and name not in other:
            problems.append(
                f"{name} ({route.route}) is not in the sweep: say how another"
                " tenant's id could reach it (a query, a body) or why none can"
            )
        elif not route.params and name in by_id:
            problems.append(f"{name} ({route.route}) takes no id in its path")
    problems += [
        f"{name} is in the sweep but is no longer a URL of the app"
        for name in sorted((by_id | other) - set(routes))
    ]
    assert not problems, "The isolation sweep misses URLs:\n" + "\n".join(problems)


def assert_not_found(client: Client, url: str, data: dict | None = None) -> None:
    """`url` names another tenant's record: every method answers 404 (not found)
    or 405 (not allowed at that URL whatever the id, which says nothing about the
    record), and at least one answers 404."""
    answers = {method: _ask(client, method, url, data or {}) for method in METHODS}
    assert set(answers.values()) <= {404, 405}, (url, answers)
    assert 404 in answers.values(), (url, answers)


def _ask(client: Client, method: str, url: str, data: dict) -> int:
    if method in ("get", "post"):
        return getattr(client, method)(url, data).status_code
    return getattr(client, method)(
        url, data, content_type="application/json"
    ).status_code
