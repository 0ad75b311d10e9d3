"""Planner statistics for the demo seed's one long transaction (PostgreSQL).

``seed_demo`` stores everything in one transaction, which autovacuum cannot see into: until it commits, the
planner has no column statistics for the rows it wrote, and on a new database it plans the next step's reads
as if every table held a row or two. The planning step's population read then ran as a nested loop over
every target for every classification row — about a second per plan on the 800-target demo, so that a tiny
seed took minutes. ``ANALYZE`` inside the transaction samples the rows the transaction itself wrote.

Only the project's own tables are analysed, never the whole database: a bare ``ANALYZE`` also analyses the
shared catalogues, whose locks are held across databases, so two seeds in two databases (the test workers)
waited on each other. SQLite plans without such statistics; there it does nothing.
"""

from django.db import connection


def refresh_statistics() -> None:
    """``ANALYZE`` every table of the installed apps, on PostgreSQL; nothing elsewhere."""
    if connection.vendor != "postgresql":
        return
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in sorted(tables)))
