from django.urls import path

from portal.views import auth, dashboard, help, invoices, messages, orders, profile

app_name = "portal"
urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("session/", auth.session_keepalive, name="session"),
    # --- orders (helper: orders) ---
    path("orders/", orders.orders_view, name="orders"),
    # --- messages (helper: messages) ---
    path("messages/", messages.messages_view, name="messages"),
    # --- invoices (helper: invoices) ---
    path("invoices/", invoices.invoices_view, name="invoices"),
    # --- profile and help (helper: messages) ---
    path("profile/", profile.profile_view, name="profile"),
    path("help/", help.help_view, name="help"),
]
