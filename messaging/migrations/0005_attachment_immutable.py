"""A message's attachments are as immutable as the message: UPDATE and DELETE are
refused in the database itself.

Attachments are written once, with their message (messaging.services.inbound), and
never changed; nothing deletes them (a message cannot be deleted, and its
attachments hold it with PROTECT).
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION messaging_attachment_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'messages are immutable: % on messaging_attachment is refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Write a new message instead.';
END;
$$;

CREATE TRIGGER messaging_attachment_immutable
    BEFORE UPDATE OR DELETE ON messaging_attachment
    FOR EACH ROW EXECUTE FUNCTION messaging_attachment_immutable();
"""

REMOVE = """
DROP TRIGGER IF EXISTS messaging_attachment_immutable ON messaging_attachment;
DROP FUNCTION IF EXISTS messaging_attachment_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_customer_merge")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
