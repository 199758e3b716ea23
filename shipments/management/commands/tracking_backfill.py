from django.core.management.base import BaseCommand, CommandError

from orders.models import Merchant
from shipments.tracking import tracking_backfill


class Command(BaseCommand):
    help = (
        "Track orders that got a tracking number before every number was tracked: "
        "a tracked-only shipment (and a tracking link) for each order with a number "
        "and no shipment for it, not deleted and not delivered, complete or "
        "cancelled. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", type=int, help="Only this merchant's (id).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be tracked; change nothing.",
        )

    def handle(self, *args, merchant=None, dry_run=False, **options):
        if merchant is not None and not Merchant.objects.filter(pk=merchant).exists():
            raise CommandError(f"No merchant {merchant}.")
        counts = tracking_backfill(merchant_id=merchant, dry_run=dry_run)
        verb = "would be tracked" if dry_run else "now tracked"
        self.stdout.write(
            f"{counts['orders']} order(s) with an untracked number: "
            f"{counts['tracked']} {verb}, {counts['untracked']} with no courier "
            "account able to track them."
        )
