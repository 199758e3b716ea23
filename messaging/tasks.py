"""Celery tasks of the messaging app (schedules in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from messaging import notifications
from messaging.notifications.satisfaction import surveys_send_due
from messaging.services import escalation


# Every 5 minutes; a run that overlaps the next one is harmless (rows are claimed).
@shared_task(soft_time_limit=240, time_limit=280)
def messages_send_digests():
    notifications.messages_send_digests()


# Every 5 minutes; a wait is escalated once, whoever runs it (rows are locked).
@shared_task(soft_time_limit=240, time_limit=280)
def sla_escalate():
    escalation.sla_escalate_overdue()


# Every minute; a survey is claimed (SKIP LOCKED), so overlapping runs are harmless.
@shared_task(soft_time_limit=50, time_limit=58)
def satisfaction_surveys_send_due():
    surveys_send_due()
