"""Apply inbound deliveries as they arrive (an applier process; docs/inbound.md).

    manage.py inbound_apply            # run until stopped (SIGTERM or Ctrl-C)
    manage.py inbound_apply --once     # apply what is due now, then exit

Run as many as you like, on as many machines: each delivery is applied once.
"""

import logging
import signal

from django.core.management.base import BaseCommand

from performile import inbound

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Apply recorded webhook deliveries (run one or more of these)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=inbound.BATCH_SIZE)
        parser.add_argument(
            "--once", action="store_true", help="Apply what is due now, then exit."
        )

    def handle(self, *, batch, once, **options):
        if once:
            total = 0
            while applied := inbound.apply_batch(batch):
                total += applied
            self.stdout.write(f"Applied {total} deliveries.")
            return
        stopping = []

        def stop(*_args):
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("inbound applier started (batches of %s)", batch)
        inbound.run(size=batch, stop=lambda: bool(stopping), idle=1.0)
        logger.info("inbound applier stopped")
