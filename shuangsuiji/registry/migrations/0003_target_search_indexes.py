"""Trigram indexes for the target list's search at national scale (bench/staff_bench.py, bench/README.md),
PostgreSQL only: the embedded SQLite database serves one city, where a scan is fast enough.

The registry's search box finds a piece of the name or the address (``name__icontains`` or
``address__icontains``: Django's ``UPPER(col) LIKE UPPER('%…%')``). Over a million targets that was a scan of the
whole table for every search — twice, once for the page and once for its capped count (a four-character name:
1.06 s) — and the planner, with no statistics on the upper-cased columns, guessed a few hundred matches where
there were thirty thousand and joined the jurisdictions in a nested loop over all of them (two characters:
0.82 s). Trigrams of the upper-cased columns answer three characters and more from the index; their statistics
(ANALYZE reads an expression index's values) give the planner the real share of matches for shorter pieces.
"""

from django.db import migrations

from shuangsuiji.pgextensions import create_trigram_extension

INDEXES = [
    ("registry_target_name_trgm", "USING gin (UPPER(name::text) gin_trgm_ops)"),
    ("registry_target_address_trgm", "USING gin (UPPER(address::text) gin_trgm_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    create_trigram_extension(schema_editor)  # or an error that says what the DBA must do
    for name, spec in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_target {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _spec in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_validated_phones_and_coordinates")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
