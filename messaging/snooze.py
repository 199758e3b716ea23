"""The times a conversation can be snoozed until, as the team thinks of them: in
an hour, tomorrow morning, next Monday morning (the shop's morning: 08:00 in the
merchant's zone), or a time they pick."""

import datetime as dt

from django.utils import timezone

MORNING = dt.time(8, 0)
CHOICES = (
    ("hour", "For an hour"),
    ("tomorrow", "Until tomorrow 08:00"),
    ("monday", "Until Monday 08:00"),
    ("custom", "Until…"),
)


def snooze_until(choice: str, now: dt.datetime, zone, custom=None) -> dt.datetime:
    """The moment `choice` names, from `now` in the shop's `zone`; `custom` (an
    aware datetime) for "custom". ValueError for an unknown choice or a missing
    custom time."""
    local = timezone.localtime(now, zone)
    if choice == "hour":
        return now + dt.timedelta(hours=1)
    if choice == "tomorrow":
        return _morning(local.date() + dt.timedelta(days=1), zone)
    if choice == "monday":
        days = 7 - local.weekday()  # Monday is 0: a Monday snoozes a week
        return _morning(local.date() + dt.timedelta(days=days), zone)
    if choice == "custom" and custom is not None:
        return custom
    raise ValueError(f"Unknown snooze: {choice!r}")


def _morning(day: dt.date, zone) -> dt.datetime:
    return dt.datetime.combine(day, MORNING, tzinfo=zone)
