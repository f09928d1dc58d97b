"""The database itself refuses to change audit rows, and (PostgreSQL) to delete rows inside the retention.

On PostgreSQL, the production database, a trigger refuses UPDATE and refuses DELETE of rows younger than
180 days. On SQLite, the embedded mode, only UPDATE is refused by a trigger: Django flushes SQLite tables with
DELETE (PostgreSQL's TRUNCATE is not seen by row triggers), so deletes there are refused by the model alone.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_audit_no_update BEFORE UPDATE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only();
CREATE TRIGGER portal_audit_no_delete BEFORE DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS portal_audit_no_update ON portal_auditevent;
DROP TRIGGER IF EXISTS portal_audit_no_delete ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_audit_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER portal_audit_no_update BEFORE UPDATE ON portal_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS portal_audit_no_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}),
            _run({"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}),
        )
    ]
