"""make run's keeper starts a crashed process again, and stops when told to."""

import signal
import subprocess
import sys
import time


def test_a_crashed_process_is_started_again_and_stopped_with_the_keeper(tmp_path):
    starts = tmp_path / "starts"
    # Crashes on its first start; on the second it runs until it is stopped.
    script = (
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(starts)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "if n == 1: sys.exit(3)\n"
        "time.sleep(60)\n"
    )
    keeper = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "performile.keepalive",
            "--",
            sys.executable,
            "-c",
            script,
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not (starts.exists() and starts.read_text() == "2"):
            assert time.monotonic() < deadline, "the process was not started again"
            assert keeper.poll() is None, "the keeper stopped"
            time.sleep(0.05)
    finally:
        keeper.send_signal(signal.SIGTERM)
        keeper.wait(timeout=20)

    assert "exited with 3; starting it again" in keeper.stderr.read()
    assert starts.read_text() == "2"  # not started a third time after the stop


def test_with_after_the_process_starts_once_the_url_answers(tmp_path):
    """The background processes of `make run` wait for the web server."""
    import http.server
    import socket
    import threading

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = tmp_path / "started"
    keeper = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "performile.keepalive",
            "--after",
            f"http://127.0.0.1:{port}/healthz",
            "--",
            sys.executable,
            "-c",
            f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(60)",
        ]
    )
    server = None
    try:
        time.sleep(1)
        assert not started.exists()  # nothing answers yet
        # Any answer will do, a 503 of a starting platform too.
        server = http.server.HTTPServer(
            ("127.0.0.1", port), http.server.BaseHTTPRequestHandler
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        deadline = time.monotonic() + 20
        while not started.exists():
            assert time.monotonic() < deadline, "the process was not started"
            time.sleep(0.05)
    finally:
        keeper.send_signal(signal.SIGTERM)
        keeper.wait(timeout=20)
        if server is not None:
            server.shutdown()
