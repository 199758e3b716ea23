from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages"

    def ready(self):
        from messaging import receivers, senders  # noqa: F401
        from messaging.notifications.customers import manual_choice
        from orders.notifications import register_customer_choice

        register_customer_choice(manual_choice)
