"""Stand-ins for the shops' APIs on a pytest-httpserver: Shopify's Admin REST API and
WooCommerce's REST API v3, in their documented formats."""

import json

from werkzeug import Response

from orders.ingestion import fetch

SHOPIFY_PATH = f"/admin/api/{fetch.SHOPIFY_API_VERSION}/orders.json"
WOO_PATH = "/wp-json/wc/v3/orders"


def json_response(body, status=200, headers=None) -> Response:
    return Response(
        json.dumps(body), status, headers=headers, content_type="application/json"
    )


def serve_shopify(httpserver, pages, *, token="shpat-test"):
    """Shopify's orders.json: pages joined by Link headers with a page_info cursor."""

    def answer(request):
        if request.headers.get("X-Shopify-Access-Token") != token:
            return json_response(
                {"errors": "[API] Invalid API key or access token"}, 401
            )
        index = int(request.args.get("page_info", "page0").removeprefix("page"))
        headers = {"X-Shopify-Shop-Api-Call-Limit": f"{index + 1}/40"}
        if index + 1 < len(pages):
            after = httpserver.url_for(SHOPIFY_PATH)
            headers["Link"] = (
                f'<{after}?limit=250&page_info=page{index + 1}>; rel="next"'
            )
        return json_response({"orders": pages[index]}, headers=headers)

    httpserver.expect_request(SHOPIFY_PATH, method="GET").respond_with_handler(answer)


def serve_woocommerce(httpserver, pages, *, key="ck_test", secret="cs_test"):
    """WooCommerce's orders endpoint: ?page=N, the count in X-WP-TotalPages."""

    def answer(request):
        auth = request.authorization
        if not auth or (auth.username, auth.password) != (key, secret):
            return json_response(
                {"code": "woocommerce_rest_cannot_view", "message": "Sorry"}, 401
            )
        page = int(request.args.get("page", "1"))
        orders = pages[page - 1] if page <= len(pages) else []
        headers = {"X-WP-Total": str(sum(map(len, pages)))}
        headers["X-WP-TotalPages"] = str(len(pages))
        return json_response(orders, headers=headers)

    httpserver.expect_request(WOO_PATH, method="GET").respond_with_handler(answer)


def requests_made(httpserver):
    return [request for request, _response in httpserver.log]
