from django.apps import AppConfig


class ShipmentsConfig(AppConfig):
    name = "shipments"

    def ready(self):
        from performile import metrics, pending
        from shipments import bulk, receivers, reconcile  # noqa: F401
        from shipments.metrics import poll_failures

        metrics.register(poll_failures)

        # A stalled job is resumed within a minute; a queued one may wait 5.
        pending.register(
            "bulk_bookings",
            bulk.unfinished,
            since="heartbeat_at",
            limit_seconds=bulk.QUEUED_GRACE.total_seconds() + 60,
        )
        # Checked every 30 s once due.
        pending.register(
            "unconfirmed_bookings",
            reconcile.due_checks,
            since="next_check_at",
            limit_seconds=5 * 60,
        )
