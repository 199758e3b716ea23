"""Presentation helpers for the messaging templates."""

from django import template

from messaging.models import Message

register = template.Library()

CHANNEL_LABELS = dict(Message.Channel.choices)


@register.filter
def duration(seconds) -> str:
    """45 s, 12 min, 3 h 5 min, 2 d 4 h; an em dash when there is nothing."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(round(float(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def channel_mix(channels: dict) -> list[dict]:
    """[{channel, label, count, percent}], the biggest first."""
    total = sum((channels or {}).values())
    if not total:
        return []
    return [
        {
            "channel": channel,
            "label": CHANNEL_LABELS.get(channel, channel),
            "count": count,
            "percent": round(100 * count / total),
        }
        for channel, count in sorted(channels.items(), key=lambda item: -item[1])
    ]
