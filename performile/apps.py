from django.apps import AppConfig


class PerformileConfig(AppConfig):
    name = "performile"
    verbose_name = "Platform"

    def ready(self):
        from performile import outbox, senders

        outbox.register_sender(outbox.Channel.EMAIL, senders.send_email)
        outbox.register_sender(
            outbox.Channel.SMS, senders.send_sms, ready=senders.sms_ready
        )
