"""Catch a store up with its webshop: the order changes its webhooks missed, fetched
from the shop's API and applied like webhooks (orders.reconcile)."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from orders.models import Store
from orders.reconcile import ReconcileResult, store_reconcile

# Exit codes: the shop's API could not be read (nothing more was applied and the
# store's catch-up time stays), or it was read and some orders failed.
EXIT_FETCH_FAILED = 1
EXIT_ORDERS_FAILED = 2


class Command(BaseCommand):
    help = (
        "Fetch a Shopify or WooCommerce store's orders changed since --since (default:"
        " its last catch-up, or 7 days back) from the shop's API and apply what its"
        " webhooks missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", type=int, required=True, metavar="ID")
        parser.add_argument(
            "--since",
            metavar="ISO_8601",
            help="A date (2026-12-01) or date and time (2026-12-01T08:00:00Z);"
            " without an offset, in the merchant's time zone.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and count what would change; write nothing.",
        )

    def handle(self, *args, store, since=None, dry_run=False, verbosity=1, **opts):
        found = Store.objects.select_related("merchant").filter(pk=store).first()
        if found is None:
            raise CommandError(f"No store {store}.")
        result = store_reconcile(
            store=found, since=_since(since, found), dry_run=dry_run
        )
        self._report(result, verbose=verbosity > 1)
        if result.error:
            raise CommandError(
                f"Stopped: {result.error} The store's catch-up time is unchanged.",
                returncode=EXIT_FETCH_FAILED,
            )
        if result.failed:
            raise CommandError(
                f"{len(result.failed)} order(s) could not be applied (above).",
                returncode=EXIT_ORDERS_FAILED,
            )

    def _report(self, result: ReconcileResult, *, verbose: bool) -> None:
        store = result.store
        self.stdout.write(
            f"{store} (store {store.pk}, {store.get_platform_display()}): orders"
            f" changed since {result.since.isoformat()}"
            + (" — dry run, nothing is written" if result.dry_run else "")
        )
        self.stdout.write(
            ", ".join(f"{name} {count}" for name, count in result.counts.items())
        )
        if verbose:
            for name in ("created", "updated", "unchanged"):
                ids = getattr(result, name)
                if ids:
                    self.stdout.write(f"{name}: {', '.join(ids)}")
        for order_id, error in result.failed:
            self.stdout.write(self.style.ERROR(f"failed {order_id}: {error}"))
        if not result.error and not result.dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Caught up to {result.started_at.isoformat()}.")
            )


def _since(text: str | None, store: Store) -> datetime | None:
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        day = None if moment else parse_date(text)
    except ValueError:
        moment = day = None
    if day:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise CommandError(
            f"--since {text!r} is not an ISO 8601 date or date and time."
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=store.merchant.zone)
    if moment > timezone.now():
        raise CommandError(f"--since {text} is in the future.")
    return moment
