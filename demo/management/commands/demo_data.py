from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.orders import catalog
from demo.orders.cast import sign_ins
from demo.orders.seed import DEFAULT_SEED, demo_data_create
from orders.models import Customer, Merchant
from orders.state_machine import OrderStatus
from performile import outbox


class Command(BaseCommand):
    help = (
        "Create demo merchants, stores, people and orders (through the order "
        "services). Every demo account's password is "
        f"{catalog.DEMO_PASSWORD!r} (README.md lists them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any merchant exists (what `make run` uses).",
        )
        parser.add_argument(
            "--orders", type=int, default=300, help="How many orders (default 300)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same data.",
        )
        parser.add_argument(
            "--sign-ins",
            action="store_true",
            help="Only print the demo accounts and their password.",
        )

    def handle(self, *args, orders, if_empty, seed, sign_ins, **options):
        if sign_ins:
            self._print_sign_ins()
            return
        if orders < 0:
            raise CommandError("--orders must be zero or more.")
        if Merchant.objects.exists():
            if if_empty:
                self.stdout.write("Demo data: a merchant exists already; left as is.")
                return
            slugs = [merchant["slug"] for merchant in catalog.MERCHANTS]
            if Merchant.objects.filter(slug__in=slugs).exists():
                raise CommandError(
                    "The demo merchants exist already. Start from an empty database "
                    "(e.g. remove .run/postgres) to create them again."
                )
        # The demo's past: its notifications are on record, not mailed today.
        with outbox.recording_history():
            statuses = demo_data_create(orders=orders, seed=seed)
        summary = ", ".join(
            f"{statuses[status]} {status.label.lower()}"
            for status in OrderStatus
            if statuses[status]
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data: {statuses.total()} orders ({summary}).")
        )
        if options["verbosity"] > 1:
            self._print_sign_ins()

    def _print_sign_ins(self):
        rows = sign_ins()
        width = max(len(who) for who, _username in rows)
        self.stdout.write(f"Demo sign-ins (password for all: {catalog.DEMO_PASSWORD})")
        # Portal customers sign in with their email or their customer number.
        numbers = dict(
            Customer.objects.exclude(user=None).values_list(
                "user__username", "customer_number"
            )
        )
        for who, username in rows:
            number = f"  or {numbers[username]}" if username in numbers else ""
            self.stdout.write(f"  {who:<{width}}  {username}{number}")
        portal = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/portal/"
        self.stdout.write(f"  {'Customer portal':<{width}}  {portal}")
