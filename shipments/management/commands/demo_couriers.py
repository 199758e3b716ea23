from django.core.management.base import BaseCommand

from orders.models import Merchant
from shipments.models import CourierAccount


class Command(BaseCommand):
    help = (
        "Give every merchant without a courier account one with the sandbox courier "
        "(python -m shipments.sandbox), so shipments can be booked in the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8090",
            help="Where the sandbox courier listens.",
        )

    def handle(self, *args, base_url, **options):
        created = 0
        for merchant in Merchant.objects.exclude(courier_accounts__isnull=False):
            CourierAccount.objects.create(
                merchant=merchant,
                courier="sandbox",
                name="Sandbox Post",
                base_url=base_url,
                api_key=f"demo-{merchant.slug}",
                extra={"country": "SE"},
            )
            created += 1
        self.stdout.write(f"Demo couriers: {created} sandbox account(s) created.")
