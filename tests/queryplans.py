"""The PostgreSQL planner's plan of a query, for tests that hold a query and its index together."""

from django.db import connection


def query_plan(queryset, *, forbid: tuple[str, ...] = ("seqscan",), analyze: tuple[str, ...] = ()) -> str:
    """``EXPLAIN`` of ``queryset`` with the plan kinds ``forbid`` names switched off (``enable_<kind>``) for the
    test's transaction.

    A test table of a few rows is cheaper to read whole, or along some other index, than through the index a test
    is about: forbidding those ways shows whether that index can answer the query at all (over a national year
    the planner picks it). ``analyze`` names tables whose statistics must be fresh first (a partial index's)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for kind in forbid:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        for table in analyze:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(line for (line,) in cursor.fetchall())
