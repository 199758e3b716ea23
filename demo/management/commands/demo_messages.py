from django.core.management.base import BaseCommand

from demo.messaging import demo_messages_create
from messaging.models import Message
from performile import outbox


class Command(BaseCommand):
    help = (
        "Answer the demo orders' past status changes (system messages, customer"
        " notifications) and create demo customer conversations (run demo_data"
        " first)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any conversation exists (what `make run` uses).",
        )

    def handle(self, *args, if_empty, **options):
        if (
            if_empty
            and Message.objects.exclude(channel=Message.Channel.SYSTEM).exists()
        ):
            self.stdout.write("Demo messages: conversations exist already; left as is.")
            return
        with outbox.recording_history():
            written = demo_messages_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo messages: {written['announced']} status change messages,"
                f" {written['conversations']} in conversations,"
                f" {written['whatsapp_templates']} WhatsApp templates,"
                f" {written['surveys']} satisfaction surveys."
            )
        )
