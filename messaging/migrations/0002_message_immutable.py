"""Messages are immutable in the database itself: UPDATE and DELETE are refused.

The one change allowed is giving an unmatched message its thread (thread_id from
NULL to a thread, merchant_id set to that thread's merchant, nothing else changed):
that is how staff link it to an order. Corrections are new messages. (The search
column is left out of the comparison: a BEFORE trigger sees generated columns
before they are computed; it follows subject and body, which are compared.)
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION messaging_message_immutable() RETURNS trigger
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

CREATE TRIGGER messaging_message_immutable
    BEFORE UPDATE OR DELETE ON messaging_message
    FOR EACH ROW EXECUTE FUNCTION messaging_message_immutable();
"""

REMOVE = """
DROP TRIGGER IF EXISTS messaging_message_immutable ON messaging_message;
DROP FUNCTION IF EXISTS messaging_message_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
