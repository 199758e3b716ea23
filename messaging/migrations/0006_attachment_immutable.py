"""A message's attachments are as immutable as the message: UPDATE and DELETE are
refused in the database itself.

Attachments are written once, with their message (messaging.services.inbound), and
never changed; nothing deletes them (a message cannot be deleted, and its
attachments hold it with PROTECT). One change is taken: a redacted message's
attachment blanked (no file, size 0, the filename "removed", nothing else
changed), which a customer's erasure does once the file is deleted
(messaging.services.redaction, docs/privacy.md).
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION messaging_attachment_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.file = '' AND NEW.size = 0 AND NEW.filename = 'removed'
       AND NEW.id = OLD.id AND NEW.message_id = OLD.message_id
       AND NEW.content_type = OLD.content_type
       AND EXISTS (SELECT 1 FROM messaging_messageredaction r
                   WHERE r.message_id = OLD.message_id) THEN
        RETURN NEW;
    END IF;
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
    dependencies = [("messaging", "0005_message_redaction")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
