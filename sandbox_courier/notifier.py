"""Signed webhook deliveries from background threads, retried with backoff.

`send()` only queues, so the API never waits for a receiver. Each parcel's
deliveries go through one worker (chosen by tracking number), so they leave in
order; a retried delivery can still land after a later one, which is why every
event carries its own `occurred_at`. A parcel's first event (BOOKED) leaves a
moment after the booking answer, as a real courier's would, so the receiver has
stored the shipment before it hears news of it. The body of a delivery is fixed when the event
happens: a retry sends the same bytes, signature and `X-Sandbox-Event-Id`.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field

logger = logging.getLogger("sandbox.webhooks")

SIGNATURE_HEADER = "X-Sandbox-Signature"
# Seconds before each retry; a delivery is given up after the last.
BACKOFF = (1, 4, 15, 60)
# A receiver's 4xx other than these will not change by retrying.
RETRYABLE_4XX = {408, 409, 425, 429}


def sign(api_key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(api_key.encode(), body, hashlib.sha256).hexdigest()


@dataclass(order=True)
class Delivery:
    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    api_key: str = field(compare=False)
    event_id: str = field(compare=False)
    lane: int = field(compare=False)
    not_before: float = field(default=0.0, compare=False)
    attempt: int = field(default=1, compare=False)


class Notifier:
    def __init__(
        self, *, workers: int = 4, timeout: float = 5.0, first_delay: float = 1.0
    ):
        self.timeout = timeout
        self.first_delay = first_delay
        self.lanes = [queue.SimpleQueue() for _ in range(workers)]
        self.retries: list[Delivery] = []
        self.retry_cond = threading.Condition()
        self.seq = itertools.count()
        self.sent = 0
        self.failed = 0
        for lane in self.lanes:
            threading.Thread(
                target=self._work, args=(lane,), daemon=True, name="webhooks"
            ).start()
        threading.Thread(target=self._retry_loop, daemon=True, name="retries").start()

    def send(
        self,
        *,
        url: str,
        body: bytes,
        api_key: str,
        event_id: str,
        key: str,
        first: bool = False,
    ):
        lane = zlib.crc32(key.encode()) % len(self.lanes)
        delivery = Delivery(0, next(self.seq), url, body, api_key, event_id, lane)
        if first:
            delivery.not_before = time.monotonic() + self.first_delay
        self.lanes[lane].put(delivery)

    def _work(self, lane: queue.SimpleQueue):
        while True:
            delivery = lane.get()
            # Waiting here holds back the parcel's later events too: order kept.
            if (wait := delivery.not_before - time.monotonic()) > 0:
                time.sleep(wait)
            try:
                retry = self._post(delivery)
            except Exception:  # a bug here must not kill the worker
                logger.exception("webhook delivery %s crashed", delivery.event_id)
                retry = False
            if retry:
                self._retry_later(delivery)

    def _post(self, delivery: Delivery) -> bool:
        """Deliver once; True when it is worth trying again."""
        request = urllib.request.Request(
            delivery.url,
            data=delivery.body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "SandboxCourier-Webhooks/1.0",
                SIGNATURE_HEADER: sign(delivery.api_key, delivery.body),
                "X-Sandbox-Event-Id": delivery.event_id,
                "X-Sandbox-Attempt": str(delivery.attempt),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
            self.sent += 1
            return False
        except urllib.error.HTTPError as exc:
            outcome = f"HTTP {exc.code}"
            retryable = exc.code >= 500 or exc.code in RETRYABLE_4XX
        except (OSError, ValueError) as exc:
            outcome, retryable = f"{type(exc).__name__}: {exc}", True
        logger.warning(
            "webhook %s to %s failed (attempt %d): %s",
            delivery.event_id,
            delivery.url,
            delivery.attempt,
            outcome,
        )
        if not retryable or delivery.attempt > len(BACKOFF):
            self.failed += 1
            return False
        return True

    def _retry_later(self, delivery: Delivery):
        delivery.due = time.monotonic() + BACKOFF[delivery.attempt - 1]
        delivery.attempt += 1
        with self.retry_cond:
            heapq.heappush(self.retries, delivery)
            self.retry_cond.notify()

    def _retry_loop(self):
        with self.retry_cond:
            while True:
                now = time.monotonic()
                while self.retries and self.retries[0].due <= now:
                    delivery = heapq.heappop(self.retries)
                    self.lanes[delivery.lane].put(delivery)
                wait = self.retries[0].due - now if self.retries else None
                self.retry_cond.wait(wait)
