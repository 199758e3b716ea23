from django.urls import path

from messaging import webhooks

urlpatterns = [
    path("email/mailgun", webhooks.mailgun_inbound, name="webhook-email-mailgun"),
    path("email/mime", webhooks.mime_inbound, name="webhook-email-mime"),
    path("whatsapp", webhooks.whatsapp_webhook, name="webhook-whatsapp"),
    path("twilio/sms", webhooks.twilio_sms, name="webhook-twilio-sms"),
    path("twilio/status", webhooks.twilio_status, name="webhook-twilio-status"),
]
