from celery import shared_task


@shared_task(
    acks_late=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True
)
def invoices_render_pdf(kind: str, document_id: int) -> None:
    """Render and store an issued document's PDF (once)."""
    from invoices import pdf

    pdf.store_pdf(kind, document_id)
