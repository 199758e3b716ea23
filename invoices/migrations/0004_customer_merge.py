"""Merging two customers (orders.customers.customer_merge) moves their documents
and payments: the immutability trigger lets the customer reference change, and
nothing else, inside a transaction that has set performile.merging_customers."""

from django.db import migrations

ALLOW_MERGE = """
CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        IF current_setting('performile.merging_customers', true) = 'on'
           AND (new_row - 'customer_id') = (old_row - 'customer_id')
        THEN
            RETURN NEW;
        END IF;
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

PREVIOUS = """
CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger
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


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_webshop_payments")]

    operations = [migrations.RunSQL(ALLOW_MERGE, PREVIOUS)]
