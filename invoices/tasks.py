from celery import shared_task


@shared_task(
    acks_late=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True
)
def invoices_render_pdf(kind: str, document_id: int) -> None:
    """Render and store an issued document's PDF (once)."""
    from invoices import pdf

    pdf.store_pdf(kind, document_id)


@shared_task(acks_late=True)
def invoices_render_missing() -> int:
    """Render the PDFs whose render task was lost (beat, every 10 minutes)."""
    from invoices import pdf

    missing = pdf.missing_pdfs()
    for kind, document_id in missing:
        pdf.store_pdf(kind, document_id)
    return len(missing)


@shared_task(acks_late=True)
def invoices_monthly_statements(month: str | None = None) -> int:
    """Last month's statements (beat, daily): one chunk task per 500 customers with
    activity. A no-op once they exist, so a missed run is caught up the next day."""
    from datetime import date

    from invoices.services import statements

    start, end = statements.monthly_period(date.fromisoformat(month) if month else None)
    chunks = list(statements.chunked(statements.monthly_candidates(start, end)))
    for ids in chunks:
        invoices_statements_chunk.delay(ids, start.isoformat(), end.isoformat())
    return len(chunks)


@shared_task(
    acks_late=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True
)
def invoices_statements_chunk(customer_ids: list[int], start: str, end: str) -> int:
    """Monthly statements for one chunk of customers (PDFs render on download)."""
    from invoices.services import statements_generate_for_customers

    return statements_generate_for_customers(customer_ids, start, end)


@shared_task(acks_late=True)
def invoices_send_overdue_reminders() -> int:
    """Remind customers of newly overdue invoices (beat, hourly)."""
    from invoices.reminders import send_overdue_reminders

    return send_overdue_reminders()


@shared_task(acks_late=True)
def invoices_issue_missed() -> int:
    """Invoice confirmed orders the after-commit receiver missed (beat, hourly)."""
    from invoices.receivers import invoice_missed_orders

    return invoice_missed_orders()
