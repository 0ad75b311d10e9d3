"""Indexes for the public results search at national scale (bench/portal_bench.py, bench/README.md), PostgreSQL
only: the embedded SQLite database serves one city, where a scan is fast enough.

- ``disclosure_result_public_order``: the portal's order (newest inspection first, then public id), covering the
  columns the search filters on without a join, so the ordered scan that skips rows of batches not yet released
  (the newest rows, in the days after a month ends) reads only the index.
- ``disclosure_result_name_trgm``: trigrams of the upper-cased name, for ``target_name__icontains`` (Django's
  ``UPPER(col) LIKE UPPER(%s)``) of three characters or more.
- ``disclosure_result_industry_prefix``: ``industry_code LIKE 'C26%'`` under a non-C collation needs pattern ops.
"""

from django.db import migrations

from shuangsuiji.pgextensions import create_trigram_extension

INDEXES = [
    ("disclosure_result_public_order",
     "(inspected_on DESC, public_id) INCLUDE (publication_id, id, industry_code, target_name)"),
    ("disclosure_result_name_trgm", "USING gin (UPPER(target_name::text) gin_trgm_ops)"),
    ("disclosure_result_industry_prefix", "(industry_code varchar_pattern_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    create_trigram_extension(schema_editor)  # or an error that says what the DBA must do
    for name, spec in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_publishedresult {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _spec in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
