import textwrap
import time
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "What `make run` loads, in one process: the demo into an empty database "
        "(demo_data, demo_messages, demo_invoices, demo_couriers, demo_portal), "
        "tracking for its numbers (tracking_backfill) and, with --sandbox-state, "
        "its parcels in the stopped sandbox courier's state file (sandbox_sync). "
        "Run it again and it adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sandbox-url",
            default="http://127.0.0.1:8090",
            help="Where the sandbox courier listens (default %(default)s).",
        )
        parser.add_argument(
            "--sandbox-state",
            type=Path,
            help="The sandbox courier's state file, e.g. .run/sandbox.json.",
        )
        parser.add_argument(
            "--sign-ins",
            action="store_true",
            help="Print the demo accounts and their password at the end.",
        )

    def handle(self, *args, sandbox_url, sandbox_state, sign_ins, **options):
        steps = [
            ("demo_data", {"if_empty": True}),
            ("demo_messages", {"if_empty": True}),
            ("demo_invoices", {"if_empty": True}),
            ("demo_couriers", {"base_url": sandbox_url}),
            # After the couriers: its parcels in transit use the sandbox account.
            ("demo_portal", {"if_empty": True}),
            # Orders with a tracking number that no shipment follows yet.
            ("tracking_backfill", {}),
        ]
        if sandbox_state:
            steps.append(("sandbox_sync", {"state": sandbox_state}))
        for name, step_options in steps:
            started = time.monotonic()
            call_command(name, stdout=self.stdout, stderr=self.stderr, **step_options)
            if options["verbosity"] > 1:
                self.stdout.write(f"  ({name}: {time.monotonic() - started:.1f} s)")
        self._queue_recent_pdfs()
        if sign_ins:
            listing = StringIO()
            call_command("demo_data", sign_ins=True, stdout=listing)
            self.stdout.write(textwrap.indent(listing.getvalue(), "  "), ending="")

    def _queue_recent_pdfs(self) -> None:
        """The render sweep, once, for the documents worker to run as soon as it
        starts: the demo writes its recent documents without PDFs (its past is
        written in bulk), and /healthz counts a recent document still without its
        PDF as work left waiting (older ones render on download)."""
        from invoices.tasks import invoices_render_missing
        from performile import broker

        broker.enqueue(invoices_render_missing)
