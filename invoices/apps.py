from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = "Invoices"

    def ready(self):
        from functools import partial

        from invoices import pdf, receivers  # noqa: F401
        from performile import pending

        # Rendered within seconds; the render sweep runs every 10 minutes.
        for kind in ("invoice", "credit_note"):
            pending.register(
                f"{kind}_pdfs",
                partial(pdf.without_pdf, kind),
                since="issued_at",
                limit_seconds=30 * 60,
            )
