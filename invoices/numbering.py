"""Sequential, gap-free document numbers per merchant and series.

`next_number` is one statement: it creates the series' row or increments it, and
returns the new number. The row stays locked until the issuing transaction ends, so
a second issuer waits, then takes the next number; if the issuing transaction rolls
back, so does the increment, and no number is skipped. (A PostgreSQL sequence would
not wait, and would skip numbers on rollback.)
"""

from datetime import date

from django.db import connection

from invoices.models import NumberSequence

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"


def series_prefix(template: str, issue_date: date) -> str:
    return template.replace("{year}", f"{issue_date.year:04d}")


def next_number(*, merchant_id: int, kind: str, prefix: str) -> int:
    """Take the next number of the series; call inside the issuing transaction."""
    return next_numbers(merchant_id=merchant_id, kind=kind, prefix=prefix)[0]


def next_numbers(*, merchant_id: int, kind: str, prefix: str, count: int = 1):
    """Take the next `count` numbers of the series, in the same one statement;
    call inside the issuing transaction."""
    assert connection.in_atomic_block, "take numbers inside the issuing transaction"
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (merchant_id, kind, prefix, last_number)"
            " VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (merchant_id, kind, prefix)"
            f" DO UPDATE SET last_number = {table}.last_number + EXCLUDED.last_number"
            " RETURNING last_number",
            [merchant_id, kind, prefix, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def format_number(prefix: str, number: int, digits: int) -> str:
    return f"{prefix}{number:0{digits}d}"
