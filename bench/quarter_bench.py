"""Quarter benchmark: a full quarter for all of demo Baoding, end to end, through the service functions.

Set-up (not timed): a fresh database, demo Baoding (`seed_demo`: ~12,000 targets, ~400 inspectors, a year of
outside data, four classified quarters) and the year's first three quarters planned, drawn and dispatched, so
the measured quarter sees a real year's progress, recent pairs and half-year coverage.

Timed: the fourth quarter — the city's classification, then for the city and each of its 22 counties the
regular plan and the joint plan: create, approve and freeze, commit, public value, draw (targets, inspectors,
manifest, tasks written) and dispatch. `DEBUG=False` as in production.

    .venv/bin/python bench/quarter_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_quarter .venv/bin/python bench/quarter_bench.py

A PostgreSQL database named in DATABASE_URL is dropped and created afresh.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date

from fresh_db import fresh_environment  # bench/ is the script's own directory, first on sys.path

YEAR = 2021
TODAY = date(YEAR, 12, 20)


def phase_run() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shuangsuiji.demo.generator import generate
    from shuangsuiji.demo.services import STEPS, do_seed_demo
    from shuangsuiji.intake.services import do_classify
    from shuangsuiji.planning import demo
    from shuangsuiji.planning.models import Task, TaskMember
    from shuangsuiji.registry.models import Jurisdiction, Target

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    # The registries, users and outside data with their classifications; not the demo's own plans (the demo
    # would draw the measured quarter itself, as today's). allow_production: DEBUG is off, as in production, where
    # the service refuses by default.
    do_seed_demo(generate("baoding", today=TODAY),
                 steps=[step for step in STEPS if step.name not in {"planning", "fieldwork", "disclosure"}],
                 allow_production=True)
    for quarter in (1, 2, 3):
        demo.run_quarter(YEAR, quarter, reveal=True)
    setup = time.perf_counter() - started

    city = Jurisdiction.objects.get(code="130600")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    do_classify(year=YEAR, quarter=4, jurisdiction=city, acting_user=None)
    timings["classify"] = time.perf_counter() - started
    counts = demo.run_quarter(YEAR, 4, cities=[city], timings=timings)
    total = time.perf_counter() - started
    return {
        "database": connection.vendor, "setup_seconds": setup, "seconds": total,
        "steps": {step: round(seconds, 2) for step, seconds in timings.items()},
        "targets": Target.objects.count(), "plans": counts["plans"], "joint_plans": counts["joint_plans"],
        "tasks": counts["tasks"],
        "members": TaskMember.objects.filter(task__in=Task.objects.filter(year=YEAR, quarter=4), active=True).count(),
    }


def main() -> None:
    env = fresh_environment(tempfile.mkdtemp())
    out = subprocess.run([sys.executable, __file__, "--phase"], capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result["steps"].items())
    print(f"{result['database']}: quarter {YEAR}Q4 of demo Baoding ({result['targets']:,} targets) in "
          f"{result['seconds']:.1f} s — {result['plans']} plans + {result['joint_plans']} joint plans, "
          f"{result['tasks']:,} tasks, {result['members']:,} team places; {steps}; "
          f"peak RSS {result['max_rss_mib']:.0f} MiB (set-up {result['setup_seconds']:.0f} s)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--phase"]:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        result = phase_run()
        result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
    else:
        main()
