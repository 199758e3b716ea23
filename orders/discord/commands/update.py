"""Scaffold: replaced by the real command."""

from orders.discord import replies


def updateorder(asked):
    return replies.error("❌ Not available yet")
