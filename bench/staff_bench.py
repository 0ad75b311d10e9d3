"""The staff's pages at provincial and national scale: what a city, provincial or national admin opens every day.

Set-up (not timed; skipped with --reuse): the PostgreSQL database named in DATABASE_URL is dropped, created and
migrated; ``seed_demo --scale SCALE --registries-only`` with a fixed base date (hebei: 150,000 targets, 5,000
inspectors; national: 1,000,000 targets, 2,979 jurisdictions, 50,000 inspectors); a login ``province``, city
admin of 河北省, beside the demo's ``city`` (保定市) and ``admin`` (superuser: the whole country). Then a year of
work for Baoding only, by the demo's own steps — the plans through the planning service functions
(``planning.demo.run_quarter``: 2026's first three quarters drawn, dispatched and revealed, the fourth drawn and
dispatched), the quarter's classification (``intake.services.do_classify``), the field records, reviews and
follow-ups (``fieldwork.demo.seed_fieldwork``, bulk writes) and the year's publications
(``disclosure.demo.seed_disclosure``) — so the plan, fieldwork and disclosure pages have rows to show. The other
cities have registries but no plans: a national year of plans and records through the services would take
hours. So those pages are measured at Baoding's volume of work (46 plans a quarter, ~1,600 tasks) inside a
national registry, and their query counts per request are what says whether they grow with the data; with
``--national-year CITIES``, CITIES more cities (one of each province in turn; 0: all) get a year of plans, tasks,
teams, records, follow-ups and publications written in bulk (``bench/national_year.py`` says what is synthesized
and how it differs from the services' rows).

Timed, in one process through Django's test client (the middleware, the view, the template rendered) with
``DEBUG=False``: each page for each login, the median of ``--rounds`` runs after a warm-up, and the number of
queries of one run. ``--profile PAGE`` prints a cProfile of one request of the pages whose label contains
PAGE; ``--explain`` prints EXPLAIN ANALYZE of each query over 50 ms of the slow pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_staff .venv/bin/python bench/staff_bench.py --scale national
    ... bench/staff_bench.py --reuse                     # measure again on the data already there
    ... bench/staff_bench.py --reuse --only targets --users admin --profile "targets, name"
    ... bench/staff_bench.py --reuse --only classification --users province --classify-province
    ... bench/staff_bench.py --scale national --national-year 57   # 58 cities' year, every province (24 min)
    ... bench/staff_bench.py --reuse --users city,province --only "search "   # the staff's searches by firm name
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DATE = date(2026, 11, 30)
"""seed_demo's base date and the day the year of Baoding's work runs up to: fixed, so runs are comparable."""
BAODING = "130600"
HEBEI = "130000"
USERS = ("city", "province", "admin")
SLOW_MS = 300


def django_setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()


def prepare(url: str, scale: str, national_year: int | None = None) -> dict:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    django_setup()
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    # allow_production: DEBUG is off, as in production, where seed_demo refuses by default
    call_command("seed_demo", scale=scale, registries_only=True, today=BASE_DATE, allow_production=True, verbosity=0)
    timings["seed"] = time.perf_counter() - started
    report = add_work()
    report["seconds"]["seed"] = round(timings["seed"], 1)
    if national_year is not None:
        report["national_year"] = add_year(national_year)
    return report


def add_year(cities: int) -> dict:
    """``--national-year``: the other cities' year in bulk (bench/national_year.py), then ``VACUUM ANALYZE``."""
    from django.db import connection
    from national_year import add_national_year

    made = add_national_year(cities or None, BASE_DATE, BAODING)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    made["seconds"]["vacuum"] = round(time.perf_counter() - started, 1)
    return made


def add_work() -> dict:
    """The ``province`` login and Baoding's year of plans, records and publications, on seeded registries."""
    from django.db import connection

    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.disclosure.demo import seed_disclosure
    from shuangsuiji.fieldwork.demo import seed_fieldwork
    from shuangsuiji.intake.services import do_classify
    from shuangsuiji.planning import demo as planning_demo
    from shuangsuiji.registry.models import Jurisdiction

    timings = {}
    city = User.objects.get(username="city")
    province = Jurisdiction.objects.get(code=HEBEI)
    User.objects.create(username="province", password=city.password, role=Role.CITY_ADMIN, jurisdiction=province,
                        last_name="省", first_name="管理员")
    baoding = Jurisdiction.objects.get(code=BAODING)
    started = time.perf_counter()
    # What seed_demo's planning, intake, fieldwork and disclosure steps do for every city, for Baoding alone.
    population = SimpleNamespace(seed=2021, today=BASE_DATE)
    for quarter in (1, 2, 3, 4):
        do_classify(year=BASE_DATE.year, quarter=quarter, jurisdiction=baoding, acting_user=None)
        planning_demo.run_quarter(BASE_DATE.year, quarter, cities=[baoding], reveal=quarter < 4)
    timings["plans"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = seed_fieldwork(population)
    timings["fieldwork"] = time.perf_counter() - started
    started = time.perf_counter()
    counts.update(seed_disclosure(population))
    timings["disclosure"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have after a year
    return {"seconds": {k: round(v, 1) for k, v in timings.items()}, **counts}


def pages() -> dict[str, str]:
    """Label → path: every page is asked of every login (a page outside a login's scope answers 404)."""
    from shuangsuiji.fieldwork.models import FollowUp, InspectionRecord
    from shuangsuiji.planning.models import Plan, PlanKind, Task
    from shuangsuiji.registry.models import Department, Inspector, Jurisdiction, Specialty, Target

    baoding = Jurisdiction.objects.get(code=BAODING)
    target = Target.objects.filter(jurisdiction__path__startswith=baoding.path, history__isnull=False) \
        .order_by("pk").first()
    inspector = Inspector.objects.filter(jurisdiction=baoding).order_by("pk").first()
    plan = Plan.objects.filter(jurisdiction=baoding, kind=PlanKind.REGULAR, year=BASE_DATE.year).order_by(
        "-quarter").first()
    task = Task.objects.filter(selections__plan=plan).order_by("pk").first() if plan else None
    record = InspectionRecord.objects.filter(sealed_at__isnull=False).order_by("-pk").first()
    follow_up = FollowUp.objects.order_by("pk").first()
    specialty = Specialty.objects.order_by("pk").first()
    department = Department.objects.filter(jurisdiction=baoding).order_by("pk").first()
    found = {
        "workbench": "/",
        "targets": "/registry/targets/",
        "targets, page 150": "/registry/targets/?page=150",
        "targets, name 2 characters": "/registry/targets/?q=化工",
        "targets, name 4 characters": "/registry/targets/?q=源信中药",
        "targets, credit code prefix": "/registry/targets/?q=91130",
        "targets, industry C26": "/registry/targets/?industry=C26",
        "targets, key units": "/registry/targets/?category=key",
        "targets, Baoding": f"/registry/targets/?jurisdiction={baoding.pk}",
        "target page": f"/registry/targets/{target.pk}/",
        "inspectors": "/registry/inspectors/",
        "inspectors, name": "/registry/inspectors/?q=王",
        "inspectors, specialty": f"/registry/inspectors/?specialty={specialty.pk}",
        "inspector page": f"/registry/inspectors/{inspector.pk}/",
        "items": "/registry/items/",
        "departments": "/registry/departments/",
        "department page": f"/registry/departments/{department.pk}/",
        "jurisdictions": "/registry/jurisdictions/",
        "dynamic report": "/registry/dynamic/",
        "users": "/accounts/users/",
        "plans": "/planning/",
        "tasks": "/planning/tasks/",
        "tasks, overdue": "/planning/tasks/?overdue=1",
        "tasks, page 1000": "/planning/tasks/?page=1000",
        "tasks, name search": "/planning/tasks/?q=药业有限",
        "tasks, this quarter": f"/planning/tasks/?period={BASE_DATE.year}-{(BASE_DATE.month - 1) // 3 + 1}",
        "records": "/fieldwork/records/",
        "records, page 1000": "/fieldwork/records/?page=1000",
        "records, name search": "/fieldwork/records/?q=药业有限",
        "records to review": "/fieldwork/records/?state=pending",
        "rechecks": "/fieldwork/rechecks/",
        "follow-ups": "/fieldwork/follow-ups/",
        "follow-ups, overdue": "/fieldwork/follow-ups/?state=overdue",
        "approvals": "/fieldwork/approvals/",
        "disclosure overview": "/disclosure/",
        "corrections": "/disclosure/corrections/",
        "intake": "/intake/",
        "classification summary": "/intake/classification/",
        "penalties": "/intake/penalties/",
    }
    followed = FollowUp.objects.filter(target__jurisdiction__path__startswith=baoding.path).order_by("pk").first()
    found.update(searches(followed.target if followed else target))
    if plan:
        found["plan page"] = f"/planning/{plan.pk}/"
    synthesized = Plan.objects.exclude(jurisdiction__path__contains=f"{BAODING}.").order_by("-pk").first()
    if synthesized:  # --national-year's: the page must render its rows as it does the services'
        found["plan page, synthesized"] = f"/planning/{synthesized.pk}/"
    if task:
        found["task page"] = f"/planning/tasks/{task.pk}/"
    if record:
        found["record page"] = f"/fieldwork/records/{record.pk}/"
    if follow_up:
        found["follow-up page"] = f"/fieldwork/follow-ups/{follow_up.pk}/"
    return found


SEARCHED = {"targets": "/registry/targets/", "tasks": "/planning/tasks/", "records": "/fieldwork/records/",
            "follow-ups": "/fieldwork/follow-ups/?state=", "penalties": "/intake/penalties/",
            "complaints": "/intake/complaints/", "clues": "/intake/clues/"}
PIECES = {"1 character": "化", "2 characters": "化工", "2 characters, rare": "盛聚", "4 characters": "药业有限"}


def searches(target) -> dict[str, str]:
    """``search LIST, PIECE``: each staff list searched by a piece of a firm's name and by a credit code (of a
    Baoding target with a follow-up, so with a task and a record); the follow-ups in every state."""
    from urllib.parse import quote

    pieces = {**PIECES, "credit code": target.credit_code}
    return {f"search {listed}, {kind}": f"{path}{'&' if '?' in path else '?'}q={quote(piece)}"
            for listed, path in SEARCHED.items() for kind, piece in pieces.items()}


def explain_slow(client, path: str, threshold_ms: float = 50) -> list[str]:
    """EXPLAIN ANALYZE of each query of one request of ``path`` that took more than ``threshold_ms``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    for query in queries.captured_queries:
        if float(query["time"]) * 1000 < threshold_ms or not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            out.append(f"-- {float(query['time']) * 1000:.0f} ms: {query['sql'][:600]}")
            out.extend(row[0] for row in cursor.fetchall())
    return out


def measure(users: list[str], only: str, rounds: int, profile: str, explain: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.accounts.models import User

    found = {label: path for label, path in pages().items() if any(part in label for part in only.split(","))}
    report: dict = {"milliseconds": {}, "queries": {}, "status": {}}
    for username in users:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, path in found.items():
            response = client.get(path)  # warm-up: templates, translations, caches
            key = f"{label} [{username}]"
            report["status"][key] = response.status_code
            if response.status_code != 200:
                continue
            runs = []
            for _round in range(rounds):
                started = time.perf_counter()
                client.get(path)
                runs.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            report["milliseconds"][key] = round(statistics.median(runs) * 1000, 1)
            report["queries"][key] = len(queries)
            print(f"{key:<45} {report['milliseconds'][key]:>9.1f} ms {len(queries):>5} queries", file=sys.stderr)
            if profile and profile in label:
                profiler = cProfile.Profile()
                profiler.enable()
                client.get(path)
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
                print(f"===== profile {key}\n{text.getvalue()}", file=sys.stderr)
            if explain and report["milliseconds"][key] > SLOW_MS:
                print(f"===== explain {key}", *explain_slow(client, path), sep="\n", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=("tiny", "baoding", "hebei", "national"))
    parser.add_argument("--reuse", action="store_true", help="measure the data already in the database")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", default=",".join(USERS), help="logins to measure, comma-separated")
    parser.add_argument("--only", default="",
                        help="only the pages whose label contains this (or one of these, comma-separated)")
    parser.add_argument("--profile", default="", help="cProfile one request of the pages whose label contains this")
    parser.add_argument("--classify-province", action="store_true",
                        help="classify all of 河北省 for the base date's quarter first (28 s), as a province "
                             "would: the classification summary then reads 70,000 rows")
    parser.add_argument("--national-year", type=int, metavar="CITIES", default=None,
                        help="after Baoding's year, write a year of plans, tasks, records and publications in bulk "
                             "for CITIES more cities, one of each province in turn (0: every city); with --reuse, "
                             "on the database as it is")
    parser.add_argument("--explain", action="store_true", help=f"EXPLAIN ANALYZE the slow queries of pages over "
                                                               f"{SLOW_MS} ms")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database that may be dropped and created")
    report = {}
    if args.reuse:
        django_setup()
        if args.national_year is not None:
            report["national_year"] = add_year(args.national_year)
    else:
        report["setup"] = prepare(url, args.scale, args.national_year)
    from django.db import connection

    from shuangsuiji.registry.models import Jurisdiction, Target

    if args.classify_province:
        from shuangsuiji.intake.services import do_classify

        do_classify(year=BASE_DATE.year, quarter=(BASE_DATE.month - 1) // 3 + 1,
                    jurisdiction=Jurisdiction.objects.get(code=HEBEI), acting_user=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_target")
        report["targets"] = cursor.fetchone()[0]
    report["targets_in_baoding"] = Target.objects.filter(jurisdiction__path__contains=f"{BAODING}.").count()
    report.update(measure(args.users.split(","), args.only, args.rounds, args.profile, args.explain))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return report


if __name__ == "__main__":
    main()
