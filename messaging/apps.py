from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages"

    def ready(self):
        from messaging import receivers, senders  # noqa: F401
        from messaging.emails import order_email
        from messaging.notifications.customers import manual_choice
        from orders.notifications import (
            register_customer_choice,
            register_customer_email,
        )

        register_customer_choice(manual_choice)
        register_customer_email(order_email)
