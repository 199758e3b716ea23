"""Merging two customers (orders.customers.customer_merge) moves the messages one
of them wrote: the immutability trigger lets the author customer change, and
nothing else, inside a transaction that has set performile.merging_customers."""

from django.db import migrations

ALLOW_MERGE = """
CREATE OR REPLACE FUNCTION messaging_message_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.thread_id IS NULL AND NEW.thread_id IS NOT NULL
       AND (to_jsonb(NEW) - 'thread_id' - 'merchant_id' - 'search')
           = (to_jsonb(OLD) - 'thread_id' - 'merchant_id' - 'search')
    THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND current_setting('performile.merging_customers', true) = 'on'
       AND (to_jsonb(NEW) - 'author_customer_id' - 'search')
           = (to_jsonb(OLD) - 'author_customer_id' - 'search')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'messages are immutable: % on messaging_message is refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Write a new message instead.';
END;
$$;

"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION messaging_message_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.thread_id IS NULL AND NEW.thread_id IS NOT NULL
       AND (to_jsonb(NEW) - 'thread_id' - 'merchant_id' - 'search')
           = (to_jsonb(OLD) - 'thread_id' - 'merchant_id' - 'search')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'messages are immutable: % on messaging_message is refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Write a new message instead.';
END;
$$;

"""


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_notificationpreference")]

    operations = [migrations.RunSQL(ALLOW_MERGE, PREVIOUS)]
