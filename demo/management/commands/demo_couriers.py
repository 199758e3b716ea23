from django.core.management.base import BaseCommand

from demo.shipments import DEFAULT_BASE_URL, demo_couriers_create


class Command(BaseCommand):
    help = (
        "Give every merchant without a courier account one with the sandbox courier "
        "(python -m sandbox_courier), so shipments can be booked in the demo, and "
        "give its delivered orders a delivery history for the Couriers page. The "
        "account tracks any number (extra.track_any): run tracking_backfill after "
        "it to follow the orders in transit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            help="Where the sandbox courier listens; the demo's sandbox accounts "
            f"are pointed there (new ones otherwise at {DEFAULT_BASE_URL}).",
        )

    def handle(self, *args, base_url, **options):
        created = demo_couriers_create(base_url=base_url)
        self.stdout.write(f"Demo couriers: {created} sandbox account(s) created.")
