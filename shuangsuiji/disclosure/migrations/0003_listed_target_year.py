"""The annual list at national scale (bench/list_bench.py, bench/README.md).

- ``ListedTarget.year``: the batch's year on each row, filled from the batches for the rows already stored.
- ``listed_public_order``: the portal's order of a year's list (region code, credit code), so a page is read
  from the index instead of joining a national year's million rows to their batches and sorting them.
- PostgreSQL only, as for the results (0002): trigrams of the upper-cased name for ``name__icontains`` and
  pattern ops for ``industry_code LIKE 'C26%'``.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from shuangsuiji.pgextensions import create_trigram_extension

SEARCH_INDEXES = [
    ("disclosure_listed_name_trgm", "USING gin (UPPER(name::text) gin_trgm_ops)"),
    ("disclosure_listed_industry_prefix", "(industry_code varchar_pattern_ops)"),
]


def fill_years(apps, schema_editor):
    listed, publication = apps.get_model("disclosure", "ListedTarget"), apps.get_model("disclosure", "Publication")
    batches = publication.objects.filter(pk=OuterRef("publication_id")).order_by()  # no join for the ordering
    listed.objects.update(year=Subquery(batches.values("year")[:1]))


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    create_trigram_extension(schema_editor)  # or an error that says what the DBA must do
    for name, spec in SEARCH_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON disclosure_listedtarget {spec}")


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _spec in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_public_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="listedtarget", name="year",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="年度"),
            preserve_default=False),
        migrations.RunPython(fill_years, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="listedtarget",
            index=models.Index(fields=["-year", "jurisdiction_code", "credit_code", "id"], name="listed_public_order")),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
