"""`python -m performile.keepalive [--after URL] -- <command>`: run a command of
`make run` and start it again when it exits, instead of letting honcho stop the
whole platform because one process crashed (docs/faults.md).

A process that exits is started again after 1 s, doubling up to 30 s while it
keeps exiting within 30 s of its start. SIGTERM and SIGINT are passed on to it and
end the keeper once it has exited.

With `--after URL` the command first waits until URL answers (any HTTP status; at
most a minute): the background processes wait for the web server, which then
starts with the machine to itself. Started together, a dozen processes share the
CPU, and honcho puts each in a session of its own, where `nice` does not reach
(Linux shares the CPU fairly between sessions): the web answered after ~8 s
instead of ~2.
"""

import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

FIRST_DELAY, MAX_DELAY, STEADY_SECONDS = 1.0, 30.0, 30.0
AFTER_SECONDS = 60.0


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        _say("usage: python -m performile.keepalive [--after URL] -- <command> [args]")
        return 2
    options, command = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    stopping = threading.Event()
    child: list[subprocess.Popen] = []

    def stop(signum, _frame):
        stopping.set()
        if child and child[0].poll() is None:
            child[0].send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if options[:1] == ["--after"] and len(options) == 2:
        _wait_for(options[1], stopping)
    if stopping.is_set():
        return 0
    delay = FIRST_DELAY
    while True:
        started = time.monotonic()
        child[:] = [subprocess.Popen(command)]
        code = child[0].wait()
        if stopping.is_set():
            return code
        delay = FIRST_DELAY if time.monotonic() - started > STEADY_SECONDS else delay
        _say(
            f"keepalive: {command[0]} exited with {code}; starting it again in"
            f" {delay:.0f} s"
        )
        if stopping.wait(delay):
            return code
        delay = min(delay * 2, MAX_DELAY)


def _wait_for(url: str, stopping: threading.Event) -> None:
    deadline = time.monotonic() + AFTER_SECONDS
    while time.monotonic() < deadline and not stopping.is_set():
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            stopping.wait(0.25)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
