"""How the dashboard writes shares (durations: messaging_ui's `duration`)."""

from django import template

register = template.Library()


@register.filter
def percent(share) -> str:
    """0.8734 -> "87%"; an em dash when there is nothing to measure."""
    if share is None or share == "":
        return "—"
    return f"{round(float(share) * 100)}%"
