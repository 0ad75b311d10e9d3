"""A one- or two-character piece of a target's name or address, found through an index (PostgreSQL only).

People search Chinese firm names by two characters (化工, 热力, a brand such as 盛聚), which have no trigram (0003):
the staff's searches by such a piece tested the name of every target or row of the scope (bench/README.md, "The
staff's searches by firm name"). As the public results' names (disclosure migration 0004), the characters of the
upper-cased name and address are indexed as arrays (``string_to_array(…, NULL)``: one element per character,
built-in immutable functions only), so the targets holding every character of the piece come from the index and
the ``LIKE`` beside it keeps those where they stand together (``shuangsuiji.textsearch.contains_piece``).

A plain ``CREATE INDEX``, in the migration's transaction, as 0003: while it builds, the registry can be read but
writes to it wait (a national registry of 1,000,000 targets: see docs/operations.md, "Upgrading").
"""

from django.db import migrations

INDEXES = [
    ("registry_target_name_chars", "USING gin (string_to_array(UPPER(name::text), NULL))"),
    ("registry_target_address_chars", "USING gin (string_to_array(UPPER(address::text), NULL))"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, spec in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_target {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _spec in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_target_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
