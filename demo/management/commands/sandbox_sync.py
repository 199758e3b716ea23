from pathlib import Path

from django.core.management.base import BaseCommand

from demo.sandbox import sandbox_parcels_sync


class Command(BaseCommand):
    help = (
        "Add the open parcels of our sandbox accounts that the sandbox courier's "
        "state file lacks, each with its journey so far, so that polling finds "
        "them. Run it while the sandbox is stopped (`make run` does, before "
        "starting it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--state",
            type=Path,
            required=True,
            help="The sandbox's state file (its --state), e.g. .run/sandbox.json.",
        )

    def handle(self, *args, state, **options):
        added = sandbox_parcels_sync(state=state)
        self.stdout.write(f"Sandbox courier: {added} parcel(s) added to {state}.")
