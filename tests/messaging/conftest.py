"""What the messaging tests share."""

import pytest


@pytest.fixture
def twilio_server(settings, httpserver):
    """SMS configured against a local HTTP server speaking Twilio's Messages API."""
    settings.TWILIO_ACCOUNT_SID = "AC-test"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.TWILIO_FROM_NUMBER = "+46700000001"
    settings.TWILIO_API_BASE = httpserver.url_for("/")
    return httpserver
