"""The database itself refuses to change a sealed inspection record or its child rows (issue 5, point 4).

A record is sealed when ``sealed_at`` is set. From then on:

- UPDATE of the record row is refused (whatever the column, so a seal cannot be lifted either);
- INSERT, UPDATE of its item results, signatures and attachments is refused, and so is moving a child
  row into or out of a sealed record.

PostgreSQL also refuses DELETE of sealed rows and of their children (the test runner empties tables with
TRUNCATE, which fires no row triggers). SQLite cannot: its test runner and a restore empty tables with
DELETE. There, as for the audit log, a deletion is exposed instead: the seal hash of every record is in
the chained audit log, and ``manage.py verify_records`` recomputes each seal from the rows and files and
reports any record, child row or file that is missing or different.

On PostgreSQL the child trigger reads the parent row FOR SHARE, so a child written while another
transaction is sealing the record waits for that transaction and then sees the seal.
"""

from django.db import migrations

CHILDREN = ("fieldwork_itemresult", "fieldwork_signature", "fieldwork_attachment")
RECORD = "fieldwork_inspectionrecord"
MESSAGE = "sealed inspection record: it cannot change; a correction is an amendment"


def _sqlite_child(table: str) -> list[str]:
    sealed = f"(SELECT sealed_at FROM {RECORD} WHERE id = %s.record_id) IS NOT NULL"
    return [
        f"""CREATE TRIGGER {table}_sealed_insert BEFORE INSERT ON {table}
            WHEN {sealed % "NEW"}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER {table}_sealed_update BEFORE UPDATE ON {table}
            WHEN {sealed % "OLD"} OR {sealed % "NEW"}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]


SQLITE = [
    f"""CREATE TRIGGER {RECORD}_sealed_update BEFORE UPDATE ON {RECORD}
        WHEN OLD.sealed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    *[statement for table in CHILDREN for statement in _sqlite_child(table)],
]
SQLITE_REVERSE = [f"DROP TRIGGER {RECORD}_sealed_update",
                  *[f"DROP TRIGGER {table}_sealed_{op}" for table in CHILDREN for op in ("insert", "update")]]

POSTGRES = [
    f"""CREATE FUNCTION fieldwork_record_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.sealed_at IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE} (' || OLD.number || ')',
                                  ERRCODE = 'integrity_constraint_violation';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
    f"""CREATE TRIGGER {RECORD}_sealed BEFORE UPDATE OR DELETE ON {RECORD}
        FOR EACH ROW EXECUTE FUNCTION fieldwork_record_sealed_guard()""",
    f"""CREATE FUNCTION fieldwork_child_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE sealed timestamptz;
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT sealed_at INTO sealed FROM {RECORD} WHERE id = OLD.record_id FOR SHARE;
            IF sealed IS NOT NULL THEN
              RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT sealed_at INTO sealed FROM {RECORD} WHERE id = NEW.record_id FOR SHARE;
            IF sealed IS NOT NULL THEN
              RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
    *[f"""CREATE TRIGGER {table}_sealed BEFORE INSERT OR UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION fieldwork_child_sealed_guard()""" for table in CHILDREN],
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER {RECORD}_sealed ON {RECORD}",
    *[f"DROP TRIGGER {table}_sealed ON {table}" for table in CHILDREN],
    "DROP FUNCTION fieldwork_child_sealed_guard()",
    "DROP FUNCTION fieldwork_record_sealed_guard()",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
