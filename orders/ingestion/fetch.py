"""Orders changed since a moment, read from a webshop's own REST API.

Shopify's Admin REST API and WooCommerce's REST API v3 answer with the same order
resource their webhooks send, so the pages yielded here go to the same parsers. Every
failure to read the shop is one `FetchError` whose message says what to fix. Nothing
here writes. See docs/webhooks.md, "Catching up".
"""

import ipaddress
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import requests

from orders.models import Source, Store

SHOPIFY_API_VERSION = "2025-10"
SHOPIFY_PAGE_SIZE = 250  # Shopify's maximum
WOOCOMMERCE_PAGE_SIZE = 100  # WooCommerce's maximum
# (connect, read) seconds. A page of 250 orders can take a shop several seconds.
TIMEOUT = (5, 30)
# A 429 is waited out at most this often per request, each wait at most this long:
# a shop that keeps refusing ends the run; the next one starts from the same point.
MAX_RETRIES = 5
MAX_WAIT_SECONDS = 30.0
# Shopify's leaky bucket drains 2 calls a second; keep this many calls free in it.
SHOPIFY_CALLS_FREE = 4
# A next-page link that never ends (a misbehaving shop) stops here.
MAX_PAGES = 2000
LOOPBACK_NAMES = ("localhost",)

Wait = Callable[[float], None]


class FetchError(Exception):
    """The shop's API could not be read; the message says why, in words."""


def order_pages(
    store: Store, since: datetime, *, wait: Wait = time.sleep
) -> Iterator[list[dict]]:
    """The store's orders changed since `since`, a page (a list of order resources)
    at a time. `wait` sleeps for the seconds a rate limit asks for."""
    pages = {Source.SHOPIFY: _shopify_pages, Source.WOOCOMMERCE: _woocommerce_pages}
    if store.platform not in pages:
        raise FetchError(
            f"{store} is a {store.get_platform_display()} store: only Shopify and"
            " WooCommerce stores can be caught up from their API."
        )
    return pages[store.platform](store_base_url(store.domain), store, since, wait)


def store_base_url(domain: str) -> str:
    """`nordic.myshopify.com` is https://nordic.myshopify.com; a full URL is kept.
    Plain http only reaches this machine (tests, a local shop): the API
    credentials never cross a network unencrypted."""
    domain = domain.strip().rstrip("/")
    if not domain:
        raise FetchError("The store has no domain: set the shop's domain or URL.")
    url = domain if "://" in domain else f"https://{domain}"
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(f"The store's domain {domain!r} is not a shop address.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise FetchError(
            f"The store's domain {domain!r} is plain http: use https, the API"
            " credentials would cross the network unencrypted."
        )
    return url


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOOPBACK_NAMES


# --- Shopify ---------------------------------------------------------------------


def _shopify_pages(base, store, since, wait) -> Iterator[list[dict]]:
    if not store.api_token:
        raise FetchError("The store has no API token: set its Admin API access token.")
    headers = {"X-Shopify-Access-Token": store.api_token}
    url = f"{base}/admin/api/{SHOPIFY_API_VERSION}/orders.json"
    params = {
        "status": "any",
        "updated_at_min": _iso(since),
        "limit": SHOPIFY_PAGE_SIZE,
    }
    for _ in range(MAX_PAGES):
        response = _get(url, params, wait, headers=headers)
        body = _json(response)
        yield _list(
            body.get("orders") if isinstance(body, dict) else None, "'orders'", response
        )
        _shopify_pace(response, wait)
        page_info = _shopify_next_page_info(response)
        if not page_info:
            return
        # Later pages take only these two: the cursor carries the filters.
        params = {"limit": SHOPIFY_PAGE_SIZE, "page_info": page_info}
    raise FetchError(f"More than {MAX_PAGES} pages of orders: stopped.")


def _shopify_next_page_info(response) -> str:
    """The cursor of the Link header's rel="next". Only the cursor is taken: the
    request is built on the store's own address, so the token goes nowhere else."""
    link = response.links.get("next", {}).get("url", "")
    return parse_qs(urlsplit(link).query).get("page_info", [""])[0]


def _shopify_pace(response, wait) -> None:
    """`X-Shopify-Shop-Api-Call-Limit: 38/40`: wait until a few calls are free."""
    header = response.headers.get("X-Shopify-Shop-Api-Call-Limit", "")
    used, _, limit = header.partition("/")
    if used.isdigit() and limit.isdigit():
        busy = int(used) - (int(limit) - SHOPIFY_CALLS_FREE)
        if busy > 0:
            wait(min(busy / 2, MAX_WAIT_SECONDS))


# --- WooCommerce -----------------------------------------------------------------


def _woocommerce_pages(base, store, since, wait) -> Iterator[list[dict]]:
    if not (store.api_token and store.api_secret):
        raise FetchError(
            "The store has no REST API keys: set its consumer key (API token) and"
            " consumer secret (API secret)."
        )
    auth = (store.api_token, store.api_secret)
    url = f"{base}/wp-json/wc/v3/orders"
    params = {
        # In UTC, and said so: without dates_are_gmt the shop reads it in its own
        # time zone.
        "modified_after": _iso(since, naive_utc=True),
        "dates_are_gmt": "true",
        "per_page": WOOCOMMERCE_PAGE_SIZE,
        # By id, not by modification time: pages are numbered, and an order changed
        # during the run would move to the end of a by-modified list, shifting the
        # next page's first order onto a page already read. By id, a change only
        # adds an order, and an order seen twice is harmless.
        "orderby": "id",
        "order": "asc",
    }
    for page in range(1, MAX_PAGES + 1):
        response = _get(url, {**params, "page": page}, wait, auth=auth)
        orders = _list(_json(response), "The body", response)
        yield orders
        total = response.headers.get("X-WP-TotalPages", "")
        if not orders or (total.isdigit() and page >= int(total)):
            return
    raise FetchError(f"More than {MAX_PAGES} pages of orders: stopped.")


# --- HTTP ------------------------------------------------------------------------


def _get(url: str, params: dict, wait: Wait, **credentials) -> requests.Response:
    for attempt in range(MAX_RETRIES + 1):
        try:
            # Not redirected: a custom header such as Shopify's token would follow
            # a redirect to any host.
            response = requests.get(
                url,
                params=params,
                timeout=TIMEOUT,
                allow_redirects=False,
                **credentials,
            )
        except requests.Timeout as exc:
            raise FetchError(f"{url} did not answer in time ({exc}).") from exc
        except requests.RequestException as exc:
            raise FetchError(f"{url} is unreachable ({exc}).") from exc
        if response.status_code != 429 or attempt == MAX_RETRIES:
            break
        wait(_retry_after(response))
    if response.status_code in (401, 403):
        raise FetchError(
            f"{response.status_code} from {url}: the shop refused the store's API"
            f" credentials; check them and their read access to orders."
            f" {_excerpt(response)}"
        )
    if response.is_redirect:
        raise FetchError(
            f"{response.status_code} from {url}: the shop's API is at"
            f" {response.headers.get('Location', '?')}; set the store's domain to"
            " that address."
        )
    if response.status_code == 429:
        raise FetchError(
            f"429 from {url}: still rate limited after {MAX_RETRIES} waits."
        )
    if not response.ok:
        raise FetchError(
            f"{response.status_code} from {url}: {_excerpt(response)}".rstrip()
        )
    return response


def _retry_after(response) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        seconds = 2.0  # Shopify's documented default pause
    return max(0.0, min(seconds, MAX_WAIT_SECONDS))


def _json(response):
    try:
        return response.json()
    except ValueError as exc:
        raise FetchError(
            f"{response.url} answered something that is not JSON: {_excerpt(response)}"
        ) from exc


def _list(value, what: str, response) -> list[dict]:
    if not isinstance(value, list):
        raise FetchError(f"{response.url}: {what} is not a list of orders.")
    return value


def _excerpt(response) -> str:
    return " ".join(response.text[:200].split())


def _iso(moment: datetime, *, naive_utc: bool = False) -> str:
    # Whole seconds: both APIs document second precision; rounding down only
    # overlaps with what was already seen.
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return (moment.replace(tzinfo=None) if naive_utc else moment).isoformat()
