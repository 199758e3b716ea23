"""Apply recorded deliveries again, through the same idempotent path: after a
mapping fix, or for deliveries that failed (docs/inbound.md).

    manage.py inbound_replay --provider shopify --since 2026-12-01
    manage.py inbound_replay --status failed
    manage.py inbound_replay --id 812 --id 813
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from performile import inbound
from performile.models import InboundDelivery


class Command(BaseCommand):
    help = "Put recorded webhook deliveries back in the queue to be applied again."

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="shopify, woocommerce, courier, ...")
        parser.add_argument("--store", type=int, help="A store's id.")
        parser.add_argument(
            "--status", choices=InboundDelivery.Status.values, help="Only these."
        )
        parser.add_argument("--since", help="Received at or after (date or time).")
        parser.add_argument("--until", help="Received before (date or time).")
        parser.add_argument("--id", type=int, action="append", dest="ids")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many, change nothing."
        )

    def handle(self, *, provider, store, status, since, until, ids, dry_run, **_):
        if not any([provider, store, status, since, until, ids]):
            raise CommandError(
                "Say which deliveries: --provider, --store, --status, --since,"
                " --until or --id."
            )
        deliveries = InboundDelivery.objects.all()
        if provider:
            deliveries = deliveries.filter(provider=provider)
        if store:
            deliveries = deliveries.filter(store_id=store)
        if status:
            deliveries = deliveries.filter(status=status)
        if since:
            deliveries = deliveries.filter(received_at__gte=_moment(since, "--since"))
        if until:
            deliveries = deliveries.filter(received_at__lt=_moment(until, "--until"))
        if ids:
            deliveries = deliveries.filter(pk__in=ids)
        if dry_run:
            self.stdout.write(f"{deliveries.count()} deliveries would be replayed.")
            return
        count = inbound.replay(deliveries)
        self.stdout.write(
            f"{count} deliveries queued again; the appliers apply them now."
        )


def _moment(value: str, option: str):
    from datetime import datetime, time

    from django.utils import timezone

    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"{option} must be a date or a date and time: {value}")
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
