"""`python -m performile.keepalive -- <command>`: run a command of `make run` and
start it again when it exits, instead of letting honcho stop the whole platform
because one process crashed (docs/faults.md).

A process that exits is started again after 1 s, doubling up to 30 s while it
keeps exiting within 30 s of its start. SIGTERM and SIGINT are passed on to it and
end the keeper once it has exited.
"""

import signal
import subprocess
import sys
import threading
import time

FIRST_DELAY, MAX_DELAY, STEADY_SECONDS = 1.0, 30.0, 30.0


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        _say("usage: python -m performile.keepalive -- <command> [args]")
        return 2
    command = argv[argv.index("--") + 1 :]
    stopping = threading.Event()
    child: list[subprocess.Popen] = []

    def stop(signum, _frame):
        stopping.set()
        if child and child[0].poll() is None:
            child[0].send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
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


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
