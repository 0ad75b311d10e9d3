"""When each published result last changed in what the public reads, for the open-data API's sync
(``/api/public/results/?changed_since=…``, cursor ``after``).

- ``PublishedResult.changed_at``: set at the batch's release and at each correction from now on; filled here for
  the rows already stored: the batch's release time, or the latest correction when there is one (a row's
  ``corrected_at`` is its latest correction's time). Rows of batches not released stay empty until released.
- ``result_change_order``: (changed_at, public_id), the sync listing's order, so that a page of "changed since"
  is a range of one index, on SQLite and PostgreSQL alike, however many results a national year holds.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def fill_changed_at(apps, schema_editor):
    result, publication = apps.get_model("disclosure", "PublishedResult"), apps.get_model("disclosure", "Publication")
    released = publication.objects.filter(pk=OuterRef("publication_id"), status="released").order_by()
    result.objects.filter(publication__status="released").update(
        changed_at=Subquery(released.values("released_at")[:1]))
    result.objects.filter(corrected_at__isnull=False, changed_at__lt=F("corrected_at")).update(
        changed_at=F("corrected_at"))
    immediate_constraints(schema_editor)


def immediate_constraints(schema_editor):
    """Check the deferred foreign keys now, on PostgreSQL: a row updated twice in this transaction (a corrected
    result: its release, then its correction) leaves its deferred check pending, and PostgreSQL refuses the
    index below on a table with pending trigger events ("cannot CREATE INDEX … because it has pending trigger
    events"): the upgrade of a database with corrected results stopped here."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_short_name_search")]

    operations = [
        migrations.AddField(
            model_name="publishedresult",
            name="changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="最近变更时间"),
        ),
        migrations.RunPython(fill_changed_at, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="publishedresult",
            index=models.Index(fields=["changed_at", "public_id"], name="result_change_order"),
        ),
    ]
