"""Apply inbound deliveries as they arrive (an applier process; docs/inbound.md).

    manage.py inbound_apply                    # run until stopped (SIGTERM, Ctrl-C)
    manage.py inbound_apply --only deliveries  # webhooks only (and --only events)
    manage.py inbound_apply --once             # apply what is due now, then exit

Run as many as you like, on as many machines: each row is applied once. One that
does both takes providers' deliveries first; under heavy traffic, run some with
`--only deliveries` so a webhook never waits behind invoicing and notifications.
"""

import logging
import os
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
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="Run at a lower CPU priority (e.g. 10 for an events-only applier "
            "on a machine that also serves the web).",
        )
        parser.add_argument(
            "--only",
            choices=[inbound.DELIVERIES, inbound.EVENTS],
            help="Providers' deliveries only, or domain events only.",
        )

    def handle(self, *, batch, once, only, nice, **options):
        if nice:
            os.nice(nice)
        kinds = (only,) if only else (inbound.DELIVERIES, inbound.EVENTS)
        if once:
            total = 0
            while applied := inbound.apply_batch(batch, kinds=kinds):
                total += applied
            self.stdout.write(f"Applied {total} deliveries.")
            return
        stopping = []

        def stop(*_args):
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("inbound applier started: %s, batches of %s", kinds, batch)
        inbound.run(size=batch, stop=lambda: bool(stopping), idle=1.0, kinds=kinds)
        logger.info("inbound applier stopped")
