from django.apps import AppConfig


class PerformileConfig(AppConfig):
    name = "performile"
    verbose_name = "Platform"

    def ready(self):
        from performile import outbox, pending, senders

        self.register_pending(pending)
        outbox.register_sender(outbox.Channel.EMAIL, senders.send_email)
        outbox.register_sender(
            outbox.Channel.SMS, senders.send_sms, ready=senders.sms_ready
        )

    @staticmethod
    def register_pending(pending):
        from django.utils import timezone

        from performile import outbox
        from performile.models import InboundDelivery, OutboxMessage

        # Appliers take a delivery within seconds; the outbox sweep runs every 30 s.
        pending.register(
            "inbound",
            lambda: InboundDelivery.objects.filter(
                status=InboundDelivery.Status.PENDING, available_at__lte=timezone.now()
            ),
            since="available_at",
            limit_seconds=600,
        )
        pending.register(
            "outbox",
            lambda: OutboxMessage.objects.filter(outbox.due(timezone.now())),
            since="next_attempt_at",
            limit_seconds=600,
        )
