"""The annual list on the portal at national scale: a year's list page, its search and the open-data API (issue 6).

Set-up (not timed; skipped with --reuse): the PostgreSQL database named in DATABASE_URL is dropped, created and
migrated, then two released annual lists (2025 and 2026) of 3,000 county-level batches each are written by SQL:
1,000,000 ``ListedTarget`` rows a year (2,000,000 in all), synthetic names, credit codes and region codes. The
rows' links to the registries (``target``, the batch's ``jurisdiction``) are what the portal never reads, so
their foreign keys are dropped in this scratch database and they point at ids that do not exist — building a
million real targets (``seed_demo --scale national``) would take most of an hour and change no plan below.

Timed, in one process and without HTTP (the view or API function called with a request; the template rendered):
the portal's list page (this year's, a later page, a name search of three characters and more, a two-character
one, an industry prefix, last year's) and the API's list, each the median of ``--rounds`` runs after one
warm-up run; and the query plan of this year's first page (EXPLAIN ANALYZE), to show whether it is read from an
index or joined and sorted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_list .venv/bin/python bench/list_bench.py
    ... bench/list_bench.py --reuse            # measure again on the rows already there
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PAGES = {
    "page 1": "/public/list/",
    "page 200": "/public/list/?page=200",
    "name, 7 characters": "/public/list/?q=示例单位12345",
    "name, 2 characters": "/public/list/?q=示例",
    "industry C26": "/public/list/?industry=C26",
    "last year, page 3": "/public/list/?year=2025&page=3",
    "API, first page": "/api/public/list/",
}


def django_setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()


def prepare(url: str, per_year: int, jurisdictions: int) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        for table, column in (("disclosure_publication", "jurisdiction_id"), ("disclosure_listedtarget", "target_id")):
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                           "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attname = %s)]", [table, table, column])
            for (constraint,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        cursor.execute(
            "INSERT INTO disclosure_publication (kind, year, month, sequence, status, deadline, deadline_citation, "
            "row_count, withheld_count, prepared_at, review_note, released_at, jurisdiction_id) "
            "SELECT 'annual_list', y, 0, 1, 'released', make_date(y, 1, 31), '', %s, 0, now(), '', now(), j "
            "FROM generate_series(2025, 2026) y, generate_series(1, %s) j", [per_year // jurisdictions, jurisdictions])
        year_column = ", year" if _has_year() else ""
        cursor.execute(
            "INSERT INTO disclosure_listedtarget (credit_code, name, jurisdiction_name, jurisdiction_code, "
            f"industry_code, industry_name, address, is_key_unit, target_id, publication_id{year_column}) "
            "SELECT lpad(i::text, 18, '9'), '示例单位' || i, '示例县', (130000 + (i %% %s))::text, "
            "(ARRAY['C26', 'C33', 'D44', 'C13'])[1 + i %% 4], '行业', '地址' || i, i %% 10 = 0, i, p.id"
            f"{', p.year' if year_column else ''} "
            "FROM generate_series(1, %s) i JOIN disclosure_publication p ON p.jurisdiction_id = 1 + i %% %s",
            [jurisdictions, per_year, jurisdictions])
        cursor.execute("ANALYZE")


def _has_year() -> bool:
    from shuangsuiji.disclosure.models import ListedTarget

    return any(field.name == "year" for field in ListedTarget._meta.get_fields())


def measure(rounds: int) -> dict:
    from django.db import connection
    from django.test import RequestFactory

    from shuangsuiji.disclosure import api, public, views_public

    factory = RequestFactory()
    api_view = api.ListedTargetList.as_view()

    def call(path: str):
        request = factory.get(path)
        response = api_view(request) if path.startswith("/api/") else views_public.annual_list(request)
        if hasattr(response, "render"):
            response.render()
        assert response.status_code == 200, (path, response.status_code)
        return response

    times = {}
    for label, path in PAGES.items():
        call(path)
        runs = []
        for _ in range(rounds):
            started = time.perf_counter()
            call(path)
            runs.append(time.perf_counter() - started)
        times[label] = round(statistics.median(runs) * 1000, 1)
    sql, params = public.listed_targets({})[1][:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM disclosure_listedtarget")
        rows = cursor.fetchone()[0]
    import shuangsuiji

    return {"code": str(Path(shuangsuiji.__file__).parent), "rows": rows, "milliseconds": times,
            "first_page_plan": plan}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="measure the rows already in the database")
    parser.add_argument("--per-year", type=int, default=1_000_000)
    parser.add_argument("--jurisdictions", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database that may be dropped and created")
    if args.reuse:
        django_setup()
    else:
        prepare(url, args.per_year, args.jurisdictions)
    report = measure(args.rounds)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return report


if __name__ == "__main__":
    main()
