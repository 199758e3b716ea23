from django.urls import path

from invoices.api import views

urlpatterns = [
    path("invoices/", views.InvoiceListApi.as_view(), name="api-invoices"),
    path(
        "invoices/<int:pk>", views.InvoiceDetailApi.as_view(), name="api-invoice-detail"
    ),
    path(
        "invoices/<int:pk>/payments",
        views.InvoicePaymentApi.as_view(),
        name="api-invoice-payments",
    ),
    path(
        "invoices/<int:pk>/credit-notes",
        views.InvoiceCreditNoteApi.as_view(),
        name="api-invoice-credit-notes",
    ),
    path(
        "invoices/<int:pk>/void",
        views.InvoiceVoidApi.as_view(),
        name="api-invoice-void",
    ),
    path(
        "orders/<int:order_id>/invoice",
        views.InvoiceIssueApi.as_view(),
        name="api-order-invoice",
    ),
    path("payments/", views.PaymentListApi.as_view(), name="api-payments"),
    path(
        "payments/<int:pk>/allocate",
        views.PaymentAllocateApi.as_view(),
        name="api-payment-allocate",
    ),
    path("credit-notes/", views.CreditNoteListApi.as_view(), name="api-credit-notes"),
    path(
        "credit-notes/<int:pk>",
        views.CreditNoteDetailApi.as_view(),
        name="api-credit-note-detail",
    ),
]
