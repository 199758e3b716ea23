"""Parsing what customers send us through providers (email, WhatsApp, SMS) into
what `messaging.services.message_receive` takes. No database access here: the
webhooks in messaging/webhooks.py verify, parse with these modules, and call the
service."""
