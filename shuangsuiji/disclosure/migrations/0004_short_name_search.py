"""A one- or two-character piece of a result's name, found through an index (PostgreSQL only).

Trigrams (0002) cannot answer a piece shorter than three characters, and people search Chinese names by two
(化工, 热力): such a search read the whole ordered index of a national year of results (bench/README.md).
``disclosure_result_name_chars`` indexes the characters of the upper-cased name as an array
(``string_to_array(…, NULL)``, one element per character, built-in and immutable), so the rows holding every
character of the piece come from the index, and the ``LIKE`` beside it keeps those where they stand together
(``shuangsuiji.textsearch``).
"""

from django.db import migrations

INDEX = ("disclosure_result_name_chars",
         "ON disclosure_publishedresult USING gin (string_to_array(UPPER(target_name::text), NULL))")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX[0]} {INDEX[1]}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX[0]}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_listed_target_year")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
