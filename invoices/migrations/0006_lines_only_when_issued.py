"""An issued document's lines are complete: a line may be inserted only by the
transaction that issued its document.

Issuing inserts the invoice or credit note, then its lines, in one transaction
(invoices.services.issuing.save_with_lines, _drafts_save). Each document records
that transaction in `issued_xact` (a column of the database only, set by a trigger
on INSERT whatever the INSERT says; the immutability trigger of 0002 keeps it from
changing afterwards), and a line whose document was issued by another transaction,
or that has no document yet, is refused. Documents issued before this migration
have none: their lines are final.

A transaction id, not the row's xmin: an allowed UPDATE (the PDF stored, a void,
a customer merge) gives the row a new xmin, and savepoints give it a
subtransaction's id.
"""

from django.db import migrations

INSTALL = """
ALTER TABLE invoices_invoice ADD COLUMN issued_xact xid8;
ALTER TABLE invoices_creditnote ADD COLUMN issued_xact xid8;

CREATE FUNCTION invoices_document_issued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.issued_xact := pg_current_xact_id();
    RETURN NEW;
END;
$$;

CREATE TRIGGER invoices_invoice_issued BEFORE INSERT ON invoices_invoice
    FOR EACH ROW EXECUTE FUNCTION invoices_document_issued();
CREATE TRIGGER invoices_creditnote_issued BEFORE INSERT ON invoices_creditnote
    FOR EACH ROW EXECUTE FUNCTION invoices_document_issued();

CREATE FUNCTION invoices_line_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    issued xid8;
BEGIN
    IF TG_TABLE_NAME = 'invoices_invoiceline' THEN
        SELECT issued_xact INTO issued FROM invoices_invoice
        WHERE id = NEW.invoice_id;
    ELSE
        SELECT issued_xact INTO issued FROM invoices_creditnote
        WHERE id = NEW.credit_note_id;
    END IF;
    IF issued = pg_current_xact_id() THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % is refused: issued documents and payments are immutable',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation',
              DETAIL = 'A line is added only by the transaction that issues its document.',
              HINT = 'Issue a credit note, or record a refund, instead.';
END;
$$;

CREATE TRIGGER invoices_invoiceline_insert BEFORE INSERT ON invoices_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoices_line_insert();
CREATE TRIGGER invoices_creditnoteline_insert BEFORE INSERT ON invoices_creditnoteline
    FOR EACH ROW EXECUTE FUNCTION invoices_line_insert();
"""

REMOVE = """
DROP TRIGGER IF EXISTS invoices_creditnoteline_insert ON invoices_creditnoteline;
DROP TRIGGER IF EXISTS invoices_invoiceline_insert ON invoices_invoiceline;
DROP FUNCTION IF EXISTS invoices_line_insert();
DROP TRIGGER IF EXISTS invoices_creditnote_issued ON invoices_creditnote;
DROP TRIGGER IF EXISTS invoices_invoice_issued ON invoices_invoice;
DROP FUNCTION IF EXISTS invoices_document_issued();
ALTER TABLE invoices_creditnote DROP COLUMN issued_xact;
ALTER TABLE invoices_invoice DROP COLUMN issued_xact;
"""


class Migration(migrations.Migration):
    dependencies = [("invoices", "0005_documents_without_pdf_index")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
