from django.urls import path

from portal.views import (
    addresses,
    auth,
    dashboard,
    help,
    invoices,
    messages,
    orders,
    privacy,
    profile,
)

app_name = "portal"
urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("session/", auth.session_keepalive, name="session"),
    # Orders
    path("orders/", orders.orders_view, name="orders"),
    path("orders/<int:pk>/", orders.order_detail_view, name="orders_detail"),
    path("orders/<int:pk>/live/", orders.order_live_view, name="orders_live"),
    path(
        "orders/<int:pk>/confirmation.pdf",
        orders.order_confirmation_view,
        name="orders_confirmation",
    ),
    # Messages
    path("messages/", messages.messages_view, name="messages"),
    path("messages/new/", messages.message_new_view, name="messages_new"),
    path(
        "messages/<int:order_id>/send/",
        messages.message_send_view,
        name="messages_send",
    ),
    path(
        "messages/files/<int:pk>/",
        messages.message_attachment_view,
        name="messages_attachment",
    ),
    # Invoices, statements, payments
    path("invoices/", invoices.invoices_view, name="invoices"),
    path("invoices/<int:pk>/", invoices.invoices_detail_view, name="invoices_detail"),
    path("invoices/<int:pk>/pdf", invoices.invoices_pdf_view, name="invoices_pdf"),
    path(
        "invoices/credit-notes/<int:pk>/pdf",
        invoices.invoices_credit_note_pdf_view,
        name="invoices_credit_note_pdf",
    ),
    path(
        "invoices/statements/",
        invoices.invoices_statements_view,
        name="invoices_statements",
    ),
    path(
        "invoices/statements/<int:pk>/",
        invoices.invoices_statement_view,
        name="invoices_statement",
    ),
    path(
        "invoices/statements/<int:pk>/pdf",
        invoices.invoices_statement_pdf_view,
        name="invoices_statement_pdf",
    ),
    path(
        "invoices/payments/", invoices.invoices_payments_view, name="invoices_payments"
    ),
    path("invoices/export.csv", invoices.invoices_export_view, name="invoices_export"),
    # Profile and help
    path("profile/", profile.profile_view, name="profile"),
    path("profile/contact/", profile.profile_contact_view, name="profile_contact"),
    path("profile/language/", profile.profile_language_view, name="profile_language"),
    path("profile/verify-email/", profile.profile_verify_view, name="profile_verify"),
    path(
        "profile/notifications/",
        profile.profile_notifications_view,
        name="profile_notifications",
    ),
    path(
        "profile/addresses/new/", addresses.address_new_view, name="profile_address_new"
    ),
    path(
        "profile/addresses/<int:pk>/",
        addresses.address_edit_view,
        name="profile_address_edit",
    ),
    path(
        "profile/addresses/<int:pk>/delete/",
        addresses.address_delete_view,
        name="profile_address_delete",
    ),
    path(
        "profile/addresses/<int:pk>/default/",
        addresses.address_default_view,
        name="profile_address_default",
    ),
    path("profile/data/export/", privacy.privacy_export_view, name="profile_export"),
    path("profile/data/erasure/", privacy.privacy_erasure_view, name="profile_erasure"),
    path("help/", help.help_view, name="help"),
]
