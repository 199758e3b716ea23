from django.core.management.base import BaseCommand

from demo.invoices import demo_invoices_create
from invoices.models import Invoice
from performile import outbox


class Command(BaseCommand):
    help = (
        "Give the demo merchants billing profiles and their confirmed demo orders an"
        " invoice history: payments, overdue and pending invoices, credit notes, a"
        " voided invoice and last month's statements (run demo_data first)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any invoice exists (what `make run` uses).",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Invoice.objects.exists():
            self.stdout.write("Demo invoices: invoices exist already; left as is.")
            return
        # The demo's past: its notifications are on record, not mailed today.
        with outbox.recording_history():
            counts = demo_invoices_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo invoices: {counts['invoices']} invoices,"
                f" {counts['payments']} payments, {counts['credit_notes']} credit"
                f" notes, {counts['voided']} voided, {counts['statements']}"
                " statements."
            )
        )
