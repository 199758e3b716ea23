"""Start a sandbox courier and steer it: for tests, browser tests and benchmarks.

    with harness.start(speed=0) as sandbox:
        ...book through SandboxCourier(AccountSettings(base_url=sandbox.base_url, ...))
        sandbox.advance(api_key, tracking_number, until="DELIVERED")

The server runs as a subprocess (`python -m sandbox_courier --port 0`), which
prints its address as its first line of output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Sandbox:
    def __init__(self, process: subprocess.Popen, base_url: str):
        self.process = process
        self.base_url = base_url

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()

    def stop(self, timeout: float = 10):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def control(self, api_key: str, action: str, payload: dict, timeout=10) -> dict:
        path = f"/v1/_control/{action}"
        return call(self.base_url, api_key, "POST", path, payload, timeout=timeout)

    def advance(
        self,
        api_key: str,
        tracking_number: str = "",
        *,
        steps: int = 1,
        until: str = "",
        all: bool = False,  # noqa: A002 - mirrors the API's field
    ) -> dict:
        """Move one parcel (or all of the account's) `steps` events on, or on to
        the first `until` event (e.g. "DELIVERED"), right now."""
        payload = {"steps": steps, "until": until}
        if all:
            payload["all"] = True
        else:
            payload["tracking_number"] = tracking_number
        return self.control(api_key, "advance", payload)

    def seed(self, api_key: str, booking: dict, count: int) -> list[str]:
        """Book `count` copies of `booking` (a POST /v1/shipments body) in one call;
        their tracking numbers."""
        payload = {"booking": booking, "count": count}
        result = self.control(api_key, "seed", payload, timeout=600)
        return result["tracking_numbers"]

    def set_speed(self, api_key: str, speed: float) -> dict:
        return self.control(api_key, "speed", {"speed": speed})

    def fail_next(
        self,
        api_key: str,
        *,
        status: int = 503,
        count: int = 1,
        retry_after: float | None = None,
        delay: float = 0,
        path: str = "/v1/",
    ) -> dict:
        """Make this account's next `count` requests under `path` answer `status`
        (after `delay` seconds; status 0 only delays)."""
        payload = {"status": status, "count": count, "delay": delay, "path": path}
        if retry_after is not None:
            payload["retry_after"] = retry_after
        return self.control(api_key, "faults", payload)


def start(
    *,
    speed: float = 0,
    state: Path | None = None,
    rate_limit: float = 0,
    first_webhook_delay: float = 1.0,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 15,
) -> Sandbox:
    command = [
        sys.executable,
        "-m",
        "sandbox_courier",
        "--host",
        host,
        "--port",
        str(port),
        "--speed",
        str(speed),
        "--rate-limit",
        str(rate_limit),
        "--first-webhook-delay",
        str(first_webhook_delay),
    ]
    if state is not None:
        command += ["--state", str(state)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    line = _first_line(process, timeout)
    if not line.startswith("sandbox courier listening on "):
        process.kill()
        raise RuntimeError(f"sandbox courier did not start: {line!r}")
    # Keep draining stdout so the child never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    sandbox = Sandbox(process, line.rsplit(" ", 1)[-1].strip())
    call(sandbox.base_url, "", "GET", "/healthz")
    return sandbox


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    result = []
    reader = threading.Thread(
        target=lambda: result.append(process.stdout.readline()), daemon=True
    )
    reader.start()
    reader.join(timeout)
    if not result:
        process.kill()
        raise RuntimeError(f"sandbox courier did not start within {timeout}s")
    return result[0]


def call(
    base_url: str, api_key: str, method: str, path: str, payload=None, *, timeout=10
) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        base_url + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(
            f"sandbox {method} {path}: {exc.code} {exc.read()!r}"
        ) from exc
