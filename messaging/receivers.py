"""Answers to other apps' domain events (subscribed in MessagingConfig.ready)."""
