"""What has been paid and credited of an invoice, kept on the invoice by the
database: `paid_amount` (the sum of its payments) and `credited_amount` (of its
credit notes).

Statement-level triggers on payments and credit notes add what each statement
wrote to its invoices, whichever code wrote it (the services, the webshop and
Stripe webhooks, bulk seeding in SQL). A payment that changes (only its invoice,
from none; or its customer, in a merge) moves its amount from the old invoice to
the new one. Nothing else may change the two columns: the immutability trigger
(0002, 0004) lets them change only from inside a trigger, and an invoice is always
inserted with zero.

Before this, every list computed the two sums per invoice with subqueries; the
home dashboard's counts of what is owed read a partial index instead
(`invoice_unsettled_idx`).
"""

import importlib

from django.db import migrations, models
from django.db.models import F, Q

MERGE = importlib.import_module("invoices.migrations.0004_customer_merge")

# The immutability rule of 0004, which also lets the two sums change from a trigger.
IMMUTABLE = MERGE.ALLOW_MERGE.replace(
    """        new_row := to_jsonb(NEW);
""",
    """        new_row := to_jsonb(NEW);
        IF TG_TABLE_NAME = 'invoices_invoice' AND pg_trigger_depth() > 1
           AND (new_row - 'paid_amount' - 'credited_amount')
               = (old_row - 'paid_amount' - 'credited_amount')
        THEN
            RETURN NEW;
        END IF;
""",
)
assert IMMUTABLE != MERGE.ALLOW_MERGE

INSTALL = (
    IMMUTABLE
    + """
CREATE FUNCTION invoices_settled_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.paid_amount := 0;
    NEW.credited_amount := 0;
    RETURN NEW;
END;
$$;

CREATE TRIGGER invoices_invoice_settled_insert BEFORE INSERT ON invoices_invoice
    FOR EACH ROW EXECUTE FUNCTION invoices_settled_insert();

-- TG_ARGV[0]: the column of the amount; TG_ARGV[1]: the invoice's sum it adds to.
CREATE FUNCTION invoices_settled_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'UPDATE invoices_invoice i SET %2$I = i.%2$I + added.amount
             FROM (SELECT invoice_id, sum(%1$I) AS amount FROM new_rows
                   WHERE invoice_id IS NOT NULL GROUP BY invoice_id) added
             WHERE i.id = added.invoice_id',
            TG_ARGV[0], TG_ARGV[1]);
    ELSE
        EXECUTE format(
            'UPDATE invoices_invoice i SET %2$I = i.%2$I + added.amount
             FROM (SELECT invoice_id, sum(amount) AS amount
                   FROM (SELECT invoice_id, %1$I AS amount FROM new_rows
                         UNION ALL
                         SELECT invoice_id, -%1$I FROM old_rows) changed
                   WHERE invoice_id IS NOT NULL GROUP BY invoice_id
                   HAVING sum(amount) <> 0) added
             WHERE i.id = added.invoice_id',
            TG_ARGV[0], TG_ARGV[1]);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER invoices_payment_settled_insert AFTER INSERT ON invoices_payment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_settled_add('amount', 'paid_amount');
CREATE TRIGGER invoices_payment_settled_update AFTER UPDATE ON invoices_payment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_settled_add('amount', 'paid_amount');
CREATE TRIGGER invoices_creditnote_settled_insert AFTER INSERT ON invoices_creditnote
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_settled_add('total', 'credited_amount');
CREATE TRIGGER invoices_creditnote_settled_update AFTER UPDATE ON invoices_creditnote
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_settled_add('total', 'credited_amount');

ALTER TABLE invoices_invoice DISABLE TRIGGER invoices_invoice_immutable;
UPDATE invoices_invoice i SET
    paid_amount = COALESCE(
        (SELECT sum(amount) FROM invoices_payment p WHERE p.invoice_id = i.id), 0),
    credited_amount = COALESCE(
        (SELECT sum(total) FROM invoices_creditnote c WHERE c.invoice_id = i.id), 0);
ALTER TABLE invoices_invoice ENABLE TRIGGER invoices_invoice_immutable;
"""
)

REMOVE = (
    """
DROP TRIGGER IF EXISTS invoices_invoice_settled_insert ON invoices_invoice;
DROP TRIGGER IF EXISTS invoices_payment_settled_insert ON invoices_payment;
DROP TRIGGER IF EXISTS invoices_payment_settled_update ON invoices_payment;
DROP TRIGGER IF EXISTS invoices_creditnote_settled_insert ON invoices_creditnote;
DROP TRIGGER IF EXISTS invoices_creditnote_settled_update ON invoices_creditnote;
DROP FUNCTION IF EXISTS invoices_settled_add();
DROP FUNCTION IF EXISTS invoices_settled_insert();
"""
    + MERGE.ALLOW_MERGE
)


def money(**kwargs):
    return models.DecimalField(
        decimal_places=2,
        max_digits=14,
        default=0,
        db_default=0,
        editable=False,
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [("invoices", "0006_lines_only_when_issued")]

    operations = [
        migrations.AddField("invoice", "paid_amount", money()),
        migrations.AddField("invoice", "credited_amount", money()),
        migrations.RunSQL(INSTALL, REMOVE),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["merchant", "due_date"],
                condition=Q(state="issued")
                & Q(total__gt=F("paid_amount") + F("credited_amount")),
                name="invoice_unsettled_idx",
            ),
        ),
    ]
