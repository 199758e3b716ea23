"""How a karrio call is made and its failures read: karrio's HTTP calls have no
timeout, so each runs in a thread we stop waiting for (`run_with_deadline`), and
karrio reports every failure as messages, which become our CourierErrors."""

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from shipments.couriers.base import CourierError, CourierUnanswered, CourierUnavailable
from shipments.couriers.common import join_nonempty


def run_with_deadline(func: Callable, *, deadline_s: float, what: str):
    """func() in a fresh daemon thread; its result, or CourierUnavailable when it
    has not finished in `deadline_s` seconds. Exceptions propagate."""
    future: Future = Future()

    def work():
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(func())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            future.set_exception(exc)

    threading.Thread(target=work, name="karrio-call", daemon=True).start()
    try:
        return future.result(timeout=deadline_s)
    except FutureTimeout as exc:
        raise CourierUnanswered(f"{what} did not answer in time.") from exc


def is_error(message) -> bool:
    return (getattr(message, "level", None) or "error") == "error"


def message_text(messages) -> str:
    return "; ".join(
        join_nonempty(getattr(m, "code", ""), getattr(m, "message", ""), sep=": ")
        for m in messages or []
        if is_error(m)
    )


# karrio turns any exception inside a call, network failures included, into a
# message with this code and the exception's text.
SDK_ERROR = "SHIPPING_SDK_INTERNAL_ERROR"
NETWORK_HINTS = (
    "urlopen error",
    "urlerror",
    "connection refused",
    "connection reset",
    "timed out",
    "remotedisconnected",
    "name or service not known",
    "temporary failure in name resolution",
)


def messages_error(name: str, verb: str, messages) -> CourierError:
    detail = message_text(messages) or "no reason given"
    internal = [m for m in messages or [] if getattr(m, "code", None) == SDK_ERROR]
    if internal:
        text = " ".join(str(m.message or "") for m in internal).lower()
        if any(hint in text for hint in NETWORK_HINTS):
            return CourierUnavailable(
                f"{name} could not be reached.", raw=repr(messages)
            )
        return CourierError(
            f"{name}: the karrio bridge failed: {detail}", raw=repr(messages)
        )
    return CourierError(f"{name} {verb}: {detail}", raw=repr(messages))


def as_courier_error(name: str, what: str, exc: Exception) -> CourierError:
    """karrio's exceptions as ours: parsed carrier messages keep their text;
    network failures are retryable."""
    messages = getattr(exc, "messages", None)
    if messages:
        return messages_error(name, "refused the request", messages)
    if isinstance(exc, OSError):  # URLError, connection refused, socket errors
        return CourierUnavailable(f"{name} could not be reached.")
    return CourierError(f"{name} failed while {what}: {exc}")
