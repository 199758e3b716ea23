"""Every periodic task, declared in one place (the beat's schedule)."""

from celery.schedules import crontab

# The queues, each served by a worker of its own (Procfile.dev, docker-compose.yml).
WORKER_QUEUES = ("celery", "notifications", "polling", "bookings", "documents")

CELERY_BEAT_SCHEDULE: dict = {
    "shipments-poll-due": {
        "task": "shipments.tasks.shipments_poll_due",
        "schedule": 15.0,
    },
    "shipments-flag-stuck": {
        "task": "shipments.tasks.shipments_flag_stuck",
        "schedule": 15 * 60.0,
    },
    # Courier news of numbers no order got within 30 days (shipments.tracking).
    "shipments-purge-pending-tracking": {
        "task": "shipments.tasks.pending_tracking_updates_purge",
        "schedule": crontab(hour=4, minute=20),
    },
    # Outbox retries and messages whose task was lost (performile.outbox).
    "outbox-deliver-due": {
        "task": "performile.tasks.outbox_deliver_due",
        "schedule": 30.0,
    },
    # Unseen customer messages, by email to the staff they concern.
    "messages-send-digests": {
        "task": "messaging.tasks.messages_send_digests",
        "schedule": 5 * 60.0,
    },
    # Customers waiting past their store's reply target: their team is told.
    "messages-sla-escalate": {
        "task": "messaging.tasks.sla_escalate",
        "schedule": 5 * 60.0,
    },
    # Satisfaction questions whose delay has passed (docs/csat.md).
    "messages-satisfaction-surveys": {
        "task": "messaging.tasks.satisfaction_surveys_send_due",
        "schedule": 60.0,
    },
    # Last month's statements; a no-op once made, so a missed 1st is caught up.
    "invoices-monthly-statements": {
        "task": "invoices.tasks.invoices_monthly_statements",
        "schedule": crontab(hour=3, minute=0),
    },
    # Work whose task the broker could not take (Redis away; docs/faults.md).
    "invoices-render-missing": {
        "task": "invoices.tasks.invoices_render_missing",
        "schedule": 10 * 60.0,
    },
    "shipments-track-missing": {
        "task": "shipments.tasks.shipments_track_missing",
        "schedule": 10 * 60.0,
    },
    # Bulk bookings whose task was lost or whose worker died (shipments.bulk).
    "bulk-bookings-sweep": {
        "task": "shipments.tasks.bulk_bookings_sweep",
        "schedule": 15.0,
        "options": {"expires": 15},
    },
    # Bookings the courier did not answer: attached or cancelled (shipments.reconcile).
    "bookings-reconcile": {
        "task": "shipments.tasks.bookings_reconcile",
        "schedule": 30.0,
    },
    # Confirmed orders the after-commit receiver failed to invoice.
    "invoices-issue-missed": {
        "task": "invoices.tasks.invoices_issue_missed",
        "schedule": crontab(minute=40),
    },
    # Reminders of newly overdue invoices, once per invoice.
    "invoices-send-overdue-reminders": {
        "task": "invoices.tasks.invoices_send_overdue_reminders",
        "schedule": crontab(minute=10),
    },
    # Webshop orders their webhooks missed, per store's reconcile_every_minutes
    # (orders.reconcile; docs/webhooks.md, "Catching up").
    "stores-reconcile-due": {
        "task": "orders.tasks.stores_reconcile_due",
        "schedule": 5 * 60.0,
    },
}
# Each queue's workers answer a heartbeat every 30 s (/healthz, docs/faults.md).
for _queue in WORKER_QUEUES:
    CELERY_BEAT_SCHEDULE[f"heartbeat-{_queue}"] = {
        "task": "performile.tasks.heartbeat",
        "schedule": 30.0,
        "args": (_queue,),
        "options": {"queue": _queue, "expires": 60},
    }
