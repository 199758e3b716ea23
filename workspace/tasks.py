"""Celery tasks of the workspace: load ids, call a selector."""

import datetime as dt
from zoneinfo import ZoneInfo

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from workspace.dashboard import history, selectors


@shared_task(soft_time_limit=50, time_limit=60)
def dashboard_history_refresh(user_id: int, zone: str, today: str, messaging: bool):
    """Compute the dashboard's closed days again for the user's reach and keep
    them (a view found them old: workspace.dashboard.history)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    day = dt.date.fromisoformat(today)
    with timezone.override(ZoneInfo(zone)):
        value = selectors.closed_days(user, day, messaging=messaging)
        history.keep(user, selectors.history_parts(zone, day, messaging), value)
