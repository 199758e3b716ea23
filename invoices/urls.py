from django.urls import path

from invoices.views import downloads, invoices, orders, payments, statements

app_name = "invoices"
urlpatterns = [
    path("", invoices.invoice_list_view, name="list"),
    path("<int:pk>/", invoices.invoice_detail_view, name="detail"),
    path("<int:pk>/pdf", downloads.invoice_pdf_view, name="pdf"),
    path("<int:pk>/payment/", invoices.invoice_payment_view, name="payment"),
    path("<int:pk>/credit-note/", invoices.invoice_credit_view, name="credit"),
    path("<int:pk>/void/", invoices.invoice_void_view, name="void"),
    path(
        "credit-notes/<int:pk>/pdf",
        downloads.credit_note_pdf_view,
        name="credit-note-pdf",
    ),
    path("orders/<int:order_pk>/", orders.order_panel_view, name="order_panel"),
    path("orders/<int:order_pk>/issue", orders.order_issue_view, name="issue"),
    path(
        "orders/<int:order_pk>/confirmation.pdf",
        orders.order_confirmation_view,
        name="confirmation",
    ),
    path("payments/", payments.payment_list_view, name="payments"),
    path("export/", payments.export_view, name="export"),
    path("statements/", statements.statement_list_view, name="statements"),
    path("statements/<int:pk>/", statements.statement_detail_view, name="statement"),
    path("statements/<int:pk>/pdf", downloads.statement_pdf_view, name="statement-pdf"),
]
