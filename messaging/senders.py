"""Outbound senders of the messaging channels (registered with performile.outbox)."""
