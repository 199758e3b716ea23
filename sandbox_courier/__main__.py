"""python -m sandbox_courier --port 8090 [--speed N] [--state FILE]"""

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from sandbox_courier import persistence
from sandbox_courier.notifier import Notifier
from sandbox_courier.server import SandboxServer
from sandbox_courier.store import Store

logger = logging.getLogger("sandbox")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox_courier", description="The sandbox courier."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8090, help="0 picks a free port (it is printed)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="time multiplier: 1 = a journey takes ~10 minutes; 0 = parcels move "
        "only through POST /v1/_control/advance",
    )
    parser.add_argument("--state", type=Path, help="JSON file to keep parcels in")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0,
        help="requests per second per API key before 429 (0 = no limit)",
    )
    parser.add_argument(
        "--first-webhook-delay",
        type=float,
        default=1.0,
        help="seconds between a booking and its BOOKED webhook",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="sandbox: %(levelname)s %(message)s")

    store = Store(
        speed=args.speed,
        notifier=Notifier(first_delay=args.first_webhook_delay),
        rate_limit=args.rate_limit,
    )
    if args.state and args.state.exists():
        try:
            persistence.load(store, args.state)
        except persistence.UNREADABLE as exc:
            persistence.set_aside(args.state, exc)
            store = Store(
                speed=args.speed, notifier=store.notifier, rate_limit=args.rate_limit
            )
        logger.info("loaded %d shipments from %s", len(store.shipments), args.state)
    server = SandboxServer((args.host, args.port), store, verbose=args.verbose)
    threading.Thread(target=store.run_scheduler, daemon=True, name="moves").start()
    if args.state:
        args.state.parent.mkdir(parents=True, exist_ok=True)
        threading.Thread(
            target=persistence.run_saver,
            args=(store, args.state),
            daemon=True,
            name="saver",
        ).start()

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    # The first line of stdout is the address; harness.start() reads it.
    sys.stdout.write(f"sandbox courier listening on http://{host}:{port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        with store.cond:
            store.stopping = True
            store.cond.notify_all()
        if args.state:
            persistence.save(store, args.state)
            logger.info("saved %d shipments to %s", len(store.shipments), args.state)
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
