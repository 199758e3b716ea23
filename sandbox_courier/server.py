"""The sandbox courier's HTTP API (JSON) and its public tracking page.

Stdlib only: ThreadingHTTPServer with HTTP/1.1 keep-alive, so a poller that reuses
its connection pays for one small request and one dict lookup per parcel.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import math
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from sandbox_courier import journey, validation
from sandbox_courier.label import render_label
from sandbox_courier.shipment import Conflict
from sandbox_courier.store import Store

logger = logging.getLogger("sandbox")
MAX_BODY = 1_000_000
ROUTES = []


def route(method: str, pattern: str, *, auth: bool = True):
    def register(handler):
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler, auth))
        return handler

    return register


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, field: str = "", headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address, store: Store, *, verbose: bool = False):
        super().__init__(address, Handler)
        self.store = store
        self.verbose = verbose


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SandboxCourier/1.0"

    def version_string(self):
        return self.server_version

    server: SandboxServer

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def log_message(self, format, *args):
        if self.server.verbose:
            logger.info("%s %s", self.address_string(), format % args)

    # --- plumbing ------------------------------------------------------------

    def dispatch(self, method: str):
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.store = self.server.store
        try:
            body = self.read_body()
            allowed = False
            for verb, pattern, handler, auth in ROUTES:
                match = pattern.match(url.path)
                if not match:
                    continue
                allowed = True
                if verb != method:
                    continue
                self.account = self.authenticate(url.path) if auth else None
                self.body = body
                return handler(self, *match.groups())
            if allowed:
                raise ApiError(405, f"{method} is not allowed on {url.path}.")
            raise ApiError(404, f"No such endpoint: {url.path}")
        except ApiError as exc:
            error = {"message": exc.message}
            if exc.field:
                error["field"] = exc.field
            self.send_json(exc.status, {"error": error}, headers=exc.headers)
        except Exception:
            logger.exception("sandbox failed on %s %s", method, self.path)
            self.send_json(500, {"error": {"message": "Sandbox internal error."}})

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, "Body too large.")
        return self.rfile.read(length) if length else b""

    def json_body(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "Body must be a JSON object.")
        return data

    def authenticate(self, path: str):
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(
                401,
                "Missing or malformed Authorization header; send 'Bearer <api key>'.",
                headers={"WWW-Authenticate": 'Bearer realm="sandbox"'},
            )
        account = self.store.account(key.strip())
        if path.startswith("/v1/_control/"):
            return account
        wait = self.store.take_token(account)
        if wait:
            raise ApiError(
                429,
                "Rate limit exceeded.",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        fault = self.store.take_fault(account, path)
        if fault:
            time.sleep(fault.get("delay", 0))
            if fault.get("status"):
                headers = {}
                if fault.get("retry_after") is not None:
                    headers["Retry-After"] = str(fault["retry_after"])
                raise ApiError(
                    fault["status"],
                    fault.get("message") or "Injected fault.",
                    headers=headers,
                )
        return account

    def send_json(self, status: int, data, *, headers=None):
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_bytes(status, body, "application/json", headers=headers)

    def send_bytes(self, status: int, body: bytes, content_type: str, *, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # Headers and body in one write: two small writes meet the client's
        # delayed ACK (Nagle) and cost ~40 ms a response.
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        host = self.headers.get("Host") or f"{host}:{port}"
        return f"http://{host}"

    def shipment(self, key: str):
        shipment = self.store.get(self.account, key)
        if shipment is None:
            raise ApiError(404, f"No shipment {key}.")
        return shipment

    # --- API -----------------------------------------------------------------

    @route("GET", "/healthz", auth=False)
    def health(self):
        self.send_json(200, {"status": "ok", "shipments": len(self.store.shipments)})

    @route("GET", "/v1/services")
    def services(self):
        try:
            origin = validation.country_code(self.query.get("from", "SE"), "from")
            dest = validation.country_code(self.query.get("to", origin), "to")
        except validation.Invalid as exc:
            raise ApiError(422, exc.message, field=exc.field) from exc
        rows = []
        for service in journey.SERVICES.values():
            amount, currency = journey.price(service, origin, dest)
            rows.append(
                {
                    "code": service.code,
                    "name": service.name,
                    "service_type": service.service_type,
                    "price": f"{amount:.2f}",
                    "currency": currency,
                    "transit_days": journey.transit_days(service, origin, dest),
                    "max_weight_kg": str(service.max_weight_kg),
                }
            )
        self.send_json(200, {"from": origin, "to": dest, "services": rows})

    @route("POST", "/v1/shipments")
    def book(self):
        try:
            booking = validation.booking(self.json_body())
        except validation.Invalid as exc:
            raise ApiError(422, exc.message, field=exc.field) from exc
        key = (self.headers.get("Idempotency-Key") or "").strip()[:255]
        try:
            shipment, replayed = self.store.book(
                self.account, booking, idempotency_key=key
            )
        except Conflict as exc:
            raise ApiError(exc.status, exc.message, field="Idempotency-Key") from exc
        view = self.shipment_view(shipment)
        view["label_pdf"] = base64.b64encode(self.label(shipment)).decode()
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        self.send_json(201, view, headers=headers)

    @route("GET", "/v1/shipments")
    def shipments_find(self):
        """The booking made with `?idempotency_key=` (a list of at most one): how a
        client that timed out learns whether its booking went through."""
        key = (self.query.get("idempotency_key") or "").strip()
        if not key:
            raise ApiError(422, "Give idempotency_key.", field="idempotency_key")
        shipment = self.store.booked_under(self.account, key[:255])
        rows = []
        if shipment is not None:
            rows.append(self.shipment_view(shipment))
            rows[0]["label_pdf"] = base64.b64encode(self.label(shipment)).decode()
        self.send_json(200, {"shipments": rows})

    def shipment_view(self, shipment) -> dict:
        number = quote(shipment.tracking_number)
        return {
            "id": shipment.id,
            "tracking_number": shipment.tracking_number,
            "reference": shipment.reference,
            "service_code": shipment.service_code,
            "status": shipment.status,
            "price": shipment.price,
            "currency": shipment.currency,
            "estimated_delivery": shipment.estimated_delivery(upto=1),
            "created_at": shipment.created_at,
            "label_url": f"{self.base_url()}/v1/shipments/{number}/label.pdf",
            "tracking_url": f"{self.base_url()}/track/{number}",
        }

    def label(self, shipment) -> bytes:
        service = journey.SERVICES[shipment.service_code]
        return render_label(
            {
                "tracking_number": shipment.tracking_number,
                "reference": shipment.reference,
                "created_at": shipment.created_at,
                "sender": shipment.sender,
                "recipient": shipment.recipient,
                "parcels": shipment.parcels,
            },
            service.name,
        )

    @route("GET", r"/v1/shipments/([^/]+)")
    def shipment_get(self, key):
        self.send_json(200, self.shipment_view(self.shipment(key)))

    @route("DELETE", r"/v1/shipments/([^/]+)")
    def cancel(self, key):
        try:
            shipment = self.store.cancel(self.account, key)
        except Conflict as exc:
            raise ApiError(exc.status, exc.message) from exc
        if shipment is None:
            raise ApiError(404, f"No shipment {key}.")
        self.send_bytes(204, b"", "application/json")

    @route("GET", r"/v1/shipments/([^/]+)/label\.pdf")
    def label_pdf(self, key):
        shipment = self.shipment(key)
        disposition = f'inline; filename="{shipment.tracking_number}.pdf"'
        self.send_bytes(
            200,
            self.label(shipment),
            "application/pdf",
            headers={"Content-Disposition": disposition},
        )

    @route("POST", "/v1/tracking")
    def track_register(self):
        """Track a number booked elsewhere: a journey is played for it and, with a
        notify_url, its events are posted there as for a booked parcel."""
        try:
            registration = validation.registration(self.json_body())
        except validation.Invalid as exc:
            raise ApiError(422, exc.message, field=exc.field) from exc
        try:
            shipment, created = self.store.register(self.account, registration)
        except Conflict as exc:
            raise ApiError(exc.status, exc.message, field="tracking_number") from exc
        self.send_json(201 if created else 200, self.store.tracking(shipment))

    @route("GET", r"/v1/tracking/([^/]+)")
    def track(self, number):
        shipment = self.store.get(self.account, number)
        if shipment is None:
            raise ApiError(404, f"No parcel with tracking number {number}.")
        self.send_json(200, self.store.tracking(shipment))

    # --- test control --------------------------------------------------------

    @route("POST", "/v1/_control/advance")
    def control_advance(self):
        data = self.json_body()
        steps, until = _int(data.get("steps", 1), "steps"), str(data.get("until") or "")
        if until and until not in journey.EVENT_CODES:
            raise ApiError(
                422, f"until must be one of {', '.join(journey.EVENT_CODES)}."
            )
        if data.get("all"):
            count = self.store.advance_all(self.account, steps=steps, until=until)
            return self.send_json(200, {"advanced": count})
        number = str(data.get("tracking_number") or "")
        shipment = self.store.get(self.account, number)
        if shipment is None:
            raise ApiError(404, f"No parcel with tracking number {number!r}.")
        count = self.store.advance(shipment, steps=steps, until=until)
        self.send_json(200, {"advanced": count, **self.store.tracking(shipment)})

    @route("POST", "/v1/_control/seed")
    def control_seed(self):
        """Book `count` copies of `booking` (a POST /v1/shipments body) at once."""
        data = self.json_body()
        count = _int(data.get("count", 1), "count")
        if count > 1_000_000:
            raise ApiError(422, "count must be at most 1,000,000.", field="count")
        try:
            booking = validation.booking(data.get("booking") or {})
        except validation.Invalid as exc:
            raise ApiError(422, exc.message, field=f"booking.{exc.field}") from exc
        numbers = self.store.seed(self.account, booking, count)
        self.send_json(201, {"tracking_numbers": numbers})

    @route("POST", "/v1/_control/speed")
    def control_speed(self):
        speed = self.json_body().get("speed")
        if not isinstance(speed, int | float) or speed < 0:
            raise ApiError(422, "speed must be a number >= 0.", field="speed")
        self.store.set_speed(float(speed))
        self.send_json(200, {"speed": self.store.speed})

    @route("POST", "/v1/_control/faults")
    def control_faults(self):
        data = self.json_body()
        fault = {
            "status": _int(data.get("status", 0), "status"),
            "count": _int(data.get("count", 1), "count"),
            "delay": _number(data.get("delay", 0), "delay"),
            "path": str(data.get("path") or "/v1/"),
            "message": str(data.get("message") or ""),
        }
        if data.get("retry_after") is not None:
            fault["retry_after"] = data["retry_after"]
        if data.get("clear"):
            self.account.faults.clear()
        elif fault["status"] or fault["delay"]:
            self.account.faults.append(fault)
        self.send_json(200, {"faults": self.account.faults})

    # --- public tracking page ------------------------------------------------

    @route("GET", r"/track/([^/]+)", auth=False)
    def tracking_page(self, number):
        shipment = self.store.public(number)
        if shipment is None:
            page = _page(number, "<p>We have no parcel with this tracking number.</p>")
            return self.send_bytes(404, page, "text/html; charset=utf-8")
        data = self.store.tracking(shipment)
        rows = "".join(
            f"<li><time>{html.escape(e['occurred_at'][:16].replace('T', ' '))}</time>"
            f"<b>{html.escape(e['description'])}</b>"
            f"<span>{html.escape(e['location'])} · {e['code']}</span></li>"
            for e in reversed(data["events"])
        )
        eta = data["estimated_delivery"] or "-"
        body = (
            f"<p class=status>{html.escape(data['status'].replace('_', ' ').title())}"
            f"</p><p>Estimated delivery: {eta}</p><ol>{rows}</ol>"
        )
        self.send_bytes(200, _page(number, body), "text/html; charset=utf-8")


def _int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(422, f"{field} must be a whole number >= 0.", field=field)
    return value


def _number(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ApiError(422, f"{field} must be a number >= 0.", field=field)
    return float(value)


def _page(number: str, body: str) -> bytes:
    title = f"Tracking {html.escape(number)}"
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width">'
        '<meta http-equiv=refresh content="15">'
        f"<title>{title} · Sandbox courier</title><style>"
        "body{font:15px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;"
        "padding:0 1em;color:#222}h1{font-size:1.3em}.status{font-size:1.6em;"
        "font-weight:600;margin:.2em 0}ol{list-style:none;padding:0}li{border-left:"
        "3px solid #2a6;padding:.3em .8em;margin:.5em 0}time,span{display:block;"
        "color:#666;font-size:.85em}</style>"
        f"<h1>Sandbox courier · {title}</h1>{body}</html>"
    ).encode()
