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
