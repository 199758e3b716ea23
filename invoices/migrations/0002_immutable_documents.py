"""Issued documents and payments are immutable in the database itself: UPDATE and
DELETE are refused on invoices, credit notes, their lines, payments and statements.

What may still change, and only this way:
- a document's or statement's PDF is stored once (pdf from '' to a file name);
- an issued invoice is voided (state issued -> void with who, when and why);
- a payment that arrived before its invoice is allocated to it (invoice_id from
  NULL to the invoice).
Corrections are credit notes, and refunds are payments of the opposite sign.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION invoices_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        IF TG_ARGV[0] = 'document' THEN
            IF old_row->>'pdf' = '' AND (new_row - 'pdf') = (old_row - 'pdf') THEN
                RETURN NEW;
            END IF;
        END IF;
        IF TG_ARGV[0] = 'document' AND TG_TABLE_NAME = 'invoices_invoice' THEN
            IF old_row->>'state' = 'issued' AND new_row->>'state' = 'void'
               AND (new_row - 'state' - 'voided_at' - 'voided_by_id' - 'void_reason')
                   = (old_row - 'state' - 'voided_at' - 'voided_by_id' - 'void_reason')
            THEN
                RETURN NEW;
            END IF;
        END IF;
        IF TG_ARGV[0] = 'payment' THEN
            IF old_row->'invoice_id' = 'null'::jsonb
               AND (new_row - 'invoice_id') = (old_row - 'invoice_id')
            THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION '% on % is refused: issued documents and payments are immutable',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Issue a credit note, or record a refund, instead.';
END;
$$;
"""

TABLES = {
    "invoices_invoice": "document",
    "invoices_creditnote": "document",
    "invoices_statement": "document",
    "invoices_invoiceline": "line",
    "invoices_creditnoteline": "line",
    "invoices_payment": "payment",
}

INSTALL = FUNCTION + "".join(
    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}"
    f" FOR EACH ROW EXECUTE FUNCTION invoices_immutable('{kind}');\n"
    for table, kind in TABLES.items()
)
REMOVE = (
    "".join(
        f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n" for table in TABLES
    )
    + "DROP FUNCTION IF EXISTS invoices_immutable();\n"
)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
