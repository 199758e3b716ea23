"""Celery tasks of the messaging app (schedules in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from messaging import notifications


# Every 5 minutes; a run that overlaps the next one is harmless (rows are claimed).
@shared_task(soft_time_limit=240, time_limit=280)
def messages_send_digests():
    notifications.messages_send_digests()
