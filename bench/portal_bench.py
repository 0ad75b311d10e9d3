"""Portal benchmark: the public results search at national scale, served by gunicorn, driven by wrk (issue 6).

Set-up (not timed; skipped with --reuse when the database already holds the results):
  a fresh database, ``seed_demo --scale national --registries-only`` (1,000,000 targets, 2,979 jurisdictions),
  then a year of published results written directly by bulk insert — ~650,000 ``PublishedResult`` rows in
  released monthly ``Publication`` batches of every county-level jurisdiction (plus one month of batches still
  awaiting review, which the portal must not show). Rows are realistic in what the search reads — real targets'
  names, credit codes and industries, dates spread over the months' working days, 2–4 check items, 4.79 % with
  problems (handling and a decision number), a few withheld — but they do not come from field records: they
  all point to one placeholder record, which the portal never reads.

Timed: gunicorn (``--workers`` sync workers, persistent database connections, ``DEBUG=False``) serves the
project with the bench-only settings ``bench/portal_bench_settings.py`` (a trivial view at /bench/trivial/, API
throttling off); wrk drives it with 50 connections: for the JSON API (/api/public/results/) and then for the
portal's HTML page (/public/results/), the same mix of results searches, then (--each) each search alone; then
the trivial view. Reported: median and 99th-percentile latency, requests per second, and each run's ratio to
the trivial view; the load average before and after, since the machine may be shared.

    make bench                                  # wrk and the rest (or: sh scripts/system-deps.sh bench, as root)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_portal .venv/bin/python bench/portal_bench.py
    ... bench/portal_bench.py --reuse           # measure again on the data already there
    .venv/bin/python bench/portal_bench.py --scale tiny --results 300 --duration 2   # smoke run (SQLite)

A PostgreSQL database named in DATABASE_URL is dropped and created afresh unless --reuse.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
YEAR = 2026
PROBLEM_SHARE = 0.0479  # the demo year's share of inspections with problems (README, fieldwork)
WITHHELD_SHARE = 0.002
CHUNK = 5000
SEPARATE = {"name_two_chars"}
"""Measured alone with --each, outside the mix: a one- or two-character name search has no trigram to use."""


# --- data ------------------------------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')


def django_setup() -> None:
    import django

    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()


def working_days(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = []
    while day.month == month:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def build(scale: str, results: int, seed: int = 2026) -> dict:
    """Registries through seed_demo, then the year's published results by bulk insert."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shuangsuiji.disclosure.models import (
        Outcome,
        Publication,
        PublicationKind,
        PublicationStatus,
        PublishedResult,
        RedactionBasis,
    )
    from shuangsuiji.disclosure.services import results_deadline
    from shuangsuiji.fieldwork.models import InspectionRecord
    from shuangsuiji.planning.models import Task
    from shuangsuiji.registry.models import CheckItem, Jurisdiction, Target

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # allow_production: the benchmark runs with DEBUG off, as in production, where seed_demo refuses by default
    call_command("seed_demo", scale=scale, registries_only=True, today=date(YEAR, 12, 20), allow_production=True,
                 verbosity=0)
    seeded = time.perf_counter() - started

    rng = random.Random(seed)
    items = list(CheckItem.objects.filter(is_active=True).values_list("code", "name").distinct()[:17])
    rows = list(Target.objects.values_list("id", "credit_code", "name", "industry_code", "industry_name",
                                           "jurisdiction_id"))
    chosen = rng.sample(rows, min(results, len(rows)))
    places = {j.pk: j for j in Jurisdiction.objects.filter(pk__in={r[5] for r in chosen})}
    # The placeholder every row points to: the portal never follows PublishedResult.record.
    anchor = Target.objects.get(pk=chosen[0][0])
    task = Task.objects.create(year=YEAR, quarter=1, target=anchor, deadline=date(YEAR, 3, 31), category="general")
    record = InspectionRecord.objects.create(number=f"JL{YEAR}-BENCH", task=task, target=anchor)

    def deadline(month: int) -> tuple[date, str]:
        try:
            return results_deadline(YEAR, month)
        except Exception:  # next year's holidays not announced yet: two weeks, for the benchmark only
            return date(YEAR + month // 12, month % 12 + 1, 14), "benchmark"

    deadlines = {m: deadline(m) for m in range(1, 13)}
    now = timezone.now()
    batches: dict[tuple[int, int], Publication] = {}
    # Eleven months released; the twelfth's batches are prepared and await review: absent from the portal.
    keys = sorted({(r[5], m) for r in chosen for m in range(1, 13)}) if len(chosen) < 1000 else \
        [(j, m) for j in sorted(places) for m in range(1, 13)]
    for start in range(0, len(keys), CHUNK):
        made = Publication.objects.bulk_create([
            Publication(jurisdiction_id=j, kind=PublicationKind.RESULTS, year=YEAR, month=m,
                        status=PublicationStatus.RELEASED if m < 12 else PublicationStatus.PREPARED,
                        deadline=deadlines[m][0], deadline_citation=deadlines[m][1],
                        released_at=now if m < 12 else None)
            for j, m in keys[start:start + CHUNK]])
        batches.update({(p.jurisdiction_id, p.month): p for p in made})

    counts = {"ok": 0, "problem": 0, "withheld": 0}
    pending: list[PublishedResult] = []
    days = {m: working_days(YEAR, m) for m in range(1, 13)}
    for n, (target_id, credit, name, industry, industry_name, place) in enumerate(chosen, start=1):
        month = rng.randint(1, 12)
        inspected = rng.choice(days[month])
        jurisdiction = places[place]
        picked = rng.sample(items, rng.randint(2, min(4, len(items))))
        roll = rng.random()
        values = dict(credit_code=credit, target_name=name, industry_code=industry, industry_name=industry_name,
                      plan_label=f"{jurisdiction.name}{YEAR}年第{(month - 1) // 3 + 1}季度双随机抽查计划",
                      plan_id=None, mode="现场检查", outcome=Outcome.NO_PROBLEM, problems=[], redactions=[],
                      withheld_basis="",
                      items=[{"code": c, "name": t, "outcome": "未发现问题"} for c, t in picked])
        if roll < WITHHELD_SHARE:
            values.update(credit_code="", target_name="", industry_code="", industry_name="", plan_label="",
                          mode="", items=[], outcome=Outcome.WITHHELD, withheld_basis=RedactionBasis.COMMERCIAL_SECRET,
                          redactions=[{"field": "*", "basis": RedactionBasis.COMMERCIAL_SECRET, "source": "case"}])
        elif roll < WITHHELD_SHARE + PROBLEM_SHARE:
            values["items"][0]["outcome"] = "发现问题"
            values.update(outcome=Outcome.PROBLEM, problems=[{
                "item": picked[0][1], "description": "污染防治设施未正常运行",
                "handling": "责令限期改正" if n % 3 else "立案查处",
                "deadline": (inspected + timedelta(days=30)).isoformat(),
                "decision_number": "" if n % 3 else f"{jurisdiction.code}环罚〔{YEAR}〕{n % 997 + 1}号"}])
        counts[values["outcome"]] += 1
        pending.append(PublishedResult(
            publication=batches[(place, month)], public_id=f"JL{YEAR}-{jurisdiction.code}-{n:07d}", record=record,
            target_id=target_id, jurisdiction=jurisdiction, jurisdiction_name=jurisdiction.name,
            inspected_on=inspected, changed_at=batches[(place, month)].released_at, **values))
        if len(pending) == CHUNK:
            PublishedResult.objects.bulk_create(pending)
            pending = []
    PublishedResult.objects.bulk_create(pending)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does over a year of monthly batches: statistics, and the visibility map that lets
            # the search's ordered scan read only its covering index (migration disclosure 0002).
            cursor.execute("VACUUM ANALYZE")
    return {"seed_seconds": round(seeded, 1), "setup_seconds": round(time.perf_counter() - started, 1),
            "targets": len(rows), "results": len(chosen), "outcomes": counts, "publications": len(batches)}


def queries() -> dict[str, str]:
    """The search mix, with values read from the data: the busiest county, a month, a common industry prefix, a
    two-character piece of a real name, a real credit code, and a page well into the unfiltered list."""
    from django.db.models import Count

    from shuangsuiji.disclosure.models import PublishedResult

    published = PublishedResult.objects.published()
    county = (published.values("jurisdiction__code").annotate(n=Count("id")).order_by("-n")[0]["jurisdiction__code"])
    industry = (published.exclude(industry_code="").values("industry_code").annotate(n=Count("id"))
                .order_by("-n")[0]["industry_code"][:2])
    sample = published.filter(outcome="problem").order_by("public_id")[len(published) // 50 % 20]
    # Four characters of a real name after its place prefix, as someone looking for a company types them.
    name_piece = sample.target_name[3:7] if len(sample.target_name) > 7 else sample.target_name
    mix = {
        "unfiltered": {},
        "jurisdiction": {"jurisdiction": county},
        "month": {"month": f"{YEAR}-03"},
        "industry": {"industry": industry},
        "outcome": {"outcome": "problem"},
        "name": {"q": name_piece},
        "name_two_chars": {"q": name_piece[:2]},
        "credit_code": {"q": sample.credit_code},
        "deep_page": {"page": max(1, min(40, published.count() // 50 // 2))},
    }
    return {name: urlencode(params) for name, params in mix.items()}


# --- serving and driving ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = gunicorn_path() or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--pythonpath", f"{BENCH_DIR},{PROJECT_DIR}", "--log-level", "warning", "--timeout", "120",
         "shuangsuiji.wsgi:application"],
        env={**env, "DJANGO_SETTINGS_MODULE": "portal_bench_settings"}, cwd=PROJECT_DIR, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url_base: str, paths: list[str], seconds: int, connections: int) -> dict:
    """wrk with a Lua script that cycles through ``paths``; latencies in ms."""
    listed = ", ".join(json.dumps(p) for p in paths)
    script = (f"paths = {{{listed}}}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n"
              "  return wrk.format(\"GET\", paths[(counter % #paths) + 1])\nend\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(["wrk", "--threads", "2", "--connections", str(connections), "--duration",
                              f"{seconds}s", "--timeout", "30s", "--latency", "--script", handle.name, url_base],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    latency = {m.group(1): float(m.group(2)) * UNIT[m.group(3)]
               for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"median_ms": round(latency["50"], 1), "p99_ms": round(latency["99"], 1),
            "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": int(errors.group(1)) if errors else 0}


def wait_idle(port: int, limit: float = 300) -> None:
    """Wait until the server answers the trivial view at once: sync workers finish requests wrk has already
    given up on, and one run's backlog must not be measured as the next run's latency."""
    import urllib.request

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        begun = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=limit) as response:
            response.read()
        if time.perf_counter() - begun < 0.05:
            return
        time.sleep(1)


def check_pages(port: int, paths: list[str]) -> None:
    """Every measured URL answers 200 before it is measured: a benchmark of 404s measures nothing."""
    import urllib.error
    import urllib.request

    for path in paths:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
                assert response.status == 200, path
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{path}: {error.code} {error.read()[:300]!r}") from error


def gunicorn_path() -> str | None:
    """The project's gunicorn (requirements.lock), the one beside this Python first."""
    return shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")


def missing_tools() -> list[str]:
    """What the measured phase runs and is not installed, each with how to install it. Checked before the set-up,
    which at national scale takes minutes: the run must not build its data and then fail for want of a tool."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk, the HTTP load generator, is not installed (not on PATH). Install it with "
                       "`sudo apt-get install wrk` (Debian), or run `make bench` or `sh scripts/system-deps.sh bench` "
                       "as root, which install what the benchmarks need")
    if gunicorn_path() is None:
        missing.append("gunicorn, the server measured, is not installed beside this Python. Install the "
                       "project's packages (requirements.lock) with `make bench`")
    return missing


def machine() -> str:
    cpus = os.cpu_count()
    load = os.getloadavg()
    return f"{cpus} cores, load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} before the run"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--results", type=int, default=650_000)
    parser.add_argument("--reuse", action="store_true", help="measure on the data already in the database")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--targets", default="api,page",
                        help="what to measure: api (/api/public/results/), page (/public/results/)")
    parser.add_argument("--each", action="store_true", help="also measure each search alone, on every target")
    parser.add_argument("--only", help="with --each: measure only these searches alone (comma-separated names of "
                        "queries(), e.g. name_two_chars), and no mix")
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument("--json-out", help="also write the report to this file")
    args = parser.parse_args(argv)
    missing = [] if args.build_only else missing_tools()
    if missing:
        raise SystemExit("portal_bench.py cannot measure. " + ". ".join(missing)
                         + ". (--build-only builds the data without them.)")

    os.environ["DEBUG"] = "False"
    folder = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    report: dict = {"machine": machine(), "database": os.environ["DATABASE_URL"].split(":", 1)[0]}
    if not args.reuse:
        prepare_database(os.environ["DATABASE_URL"])
    django_setup()
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # indexes added since the data was built
    else:
        report["data"] = build(args.scale, args.results)
        print(json.dumps(report["data"], ensure_ascii=False), flush=True)
    if args.build_only:
        return report
    mix = queries()
    report["queries"] = mix

    env = {**os.environ, "CONN_MAX_AGE": "600", "DEBUG": "False", "ALLOWED_HOSTS": "127.0.0.1"}
    process, port = serve(env, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        report["runs"] = {}
        prefixes = {"api": "/api/public/results/", "page": "/public/results/"}
        for kind in args.targets.split(","):
            named = {name: f"{prefixes[kind]}?{q}" if q else prefixes[kind] for name, q in mix.items()}
            paths = [path for name, path in named.items() if name not in SEPARATE]
            check_pages(port, paths)
            wrk(base, paths, min(3, args.duration), args.connections)  # warm-up: workers' connections and caches
            if not args.only:
                wait_idle(port)
                report["runs"][f"{kind} mix"] = wrk(base, paths, args.duration, args.connections)
                print(kind, "mix", report["runs"][f"{kind} mix"], flush=True)
            if args.each or args.only:
                chosen = set(args.only.split(",")) if args.only else set(named)
                if chosen - set(named):
                    raise SystemExit(f"--only: no search named {', '.join(sorted(chosen - set(named)))}")
                # The separately measured searches last: their backlog is the heaviest.
                for name, path in sorted(named.items(), key=lambda item: item[0] in SEPARATE):
                    if name not in chosen:
                        continue
                    wait_idle(port)
                    report["runs"][f"{kind} {name}"] = wrk(base, [path], max(1, args.duration // 2),
                                                           args.connections)
                    print(kind, name, report["runs"][f"{kind} {name}"], flush=True)
        check_pages(port, ["/bench/trivial/"])
        wait_idle(port)
        wrk(base, ["/bench/trivial/"], min(3, args.duration), args.connections)
        report["runs"]["trivial"] = wrk(base, ["/bench/trivial/"], args.duration, args.connections)
        print("trivial", report["runs"]["trivial"], flush=True)
    finally:
        stop(process)
    report["machine_after"] = machine().replace("before", "after")
    trivial = report["runs"]["trivial"]
    report["ratios"] = {name: {"median": round(run["median_ms"] / trivial["median_ms"], 1),
                               "throughput": round(trivial["rps"] / run["rps"], 1)}
                        for name, run in report["runs"].items() if name != "trivial"}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return report


if __name__ == "__main__":
    main()
