from django.core.management.base import BaseCommand

from demo.portal import demo_portal_create
from performile import outbox
from portal.models import DeliveryAddress


class Command(BaseCommand):
    help = (
        "Give the demo's portal customers what the portal shows: two delivery"
        " addresses, notification preferences, a verified email, a parcel in transit"
        " and an invoice to pay; only what is missing is added (run demo_data,"
        " demo_invoices and demo_couriers first)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any delivery address exists (what `make run` uses).",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and DeliveryAddress.objects.exists():
            self.stdout.write(
                "Demo portal: delivery addresses exist already; left as is."
            )
            return
        # The demo's past: its notifications are on record, not sent today.
        with outbox.recording_history():
            counts = demo_portal_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo portal: {counts['addresses']} addresses,"
                f" {counts['preferences']} notification preferences,"
                f" {counts['email_addresses']} verified emails,"
                f" {counts['shipments']} parcels in transit,"
                f" {counts['invoices']} invoices."
            )
        )
