"""Export benchmark: the city's whole target registry as the workbook the list page's 导出 button downloads.

Set-up, in its own process and outside the clock: a fresh database (SQLite file in a temporary folder unless
DATABASE_URL names one; a PostgreSQL database is dropped and created), migrated, and the registries of
``seed_demo --scale SCALE --registries-only`` with a fixed base date, so that every run exports the same rows
(baoding: ~12,000 targets, their outlets; hebei: 150,000).

Timed, in a second process so that its wall time and peak resident memory (ru_maxrss) are its own: the GET of
``/registry/targets/export.xlsx`` by the demo's city admin (``city``: 保定市's targets; ``--user admin``, the
superuser, exports every target) through Django's test client — the view, its scoping and filters,
``excel.export_workbook`` and the response — with ``DEBUG=False`` as in production, the median of ``--rounds``
runs after a warm-up one, and the number of queries of one run.

It prints, besides the figures, a digest of the workbook's content: every part of the .xlsx file but
``docProps/core.xml`` (which holds the moment it was written), so two versions of the code can be compared for
writing the same file. ``--profile`` runs the export once more under cProfile and prints where its time goes.

    .venv/bin/python bench/export_bench.py                     # baoding
    .venv/bin/python bench/export_bench.py --scale hebei --user admin --rounds 1
    .venv/bin/python bench/export_bench.py --profile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_export .venv/bin/python bench/export_bench.py
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

from fresh_db import fresh_environment  # bench/ is the script's own directory, first on sys.path

BASE_DATE = "2026-11-30"
"""seed_demo's base date: certificate expiries and closure dates follow it, so it is fixed for comparable runs."""


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()


def content_digest(content: bytes) -> str:
    """SHA-256 of the workbook's parts by name, leaving out the one that records when it was written."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in sorted(archive.namelist()):
            if name != "docProps/core.xml":
                digest.update(name.encode() + b"\0")
                with archive.open(name) as part:  # in pieces: the sheet of 150,000 rows is ~150 MB of XML
                    while piece := part.read(1 << 20):
                        digest.update(piece)
                digest.update(b"\0")
    return digest.hexdigest()


def phase_seed(scale: str) -> dict:
    _django()
    from django.core.management import call_command

    from shuangsuiji.registry.models import Target

    call_command("migrate", verbosity=0)
    # allow_production: the benchmark runs with DEBUG off, as in production, where seed_demo refuses by default
    call_command("seed_demo", scale=scale, registries_only=True, today=datetime.date.fromisoformat(BASE_DATE),
                 allow_production=True, verbosity=0)
    return {"targets": Target.objects.count()}


def phase_export(username: str, rounds: int, profile: bool) -> dict:
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shuangsuiji.accounts.models import User
    from shuangsuiji.registry.models import Target

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def export() -> bytes:
        response = client.get("/registry/targets/export.xlsx")
        assert response.status_code == 200, response.status_code
        return response.content

    content = export()  # warm-up: the first request loads templates, translations, the URLconf
    seconds = []
    for _round in range(rounds):
        start = time.perf_counter()
        content = export()
        seconds.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        export()
    # the export's peak, before this process reads the file back to check it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from openpyxl import load_workbook

    rows = sum(1 for _row in load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows()) - 1
    assert rows == Target.objects.visible_to(user).count(), rows
    result = {"seconds": statistics.median(seconds), "all": seconds, "rows": rows, "queries": len(queries),
              "bytes": len(content), "digest": content_digest(content), "database": connection.vendor,
              "rss_before_mib": rss_before, "rss_peak_mib": peak}
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        export()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        result["profile"] = out.getvalue()
    return result


def run_phase(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"phase {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="baoding", choices=("tiny", "baoding", "hebei"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--user", default="city",
                        help="the demo login that exports: city (保定市's targets) or admin (every target)")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    folder = tempfile.mkdtemp()
    try:
        env = fresh_environment(folder)
        seeded = run_phase(["seed", options.scale], env)
        result = run_phase(["export", options.user, str(options.rounds), "1" if options.profile else "0"], env)
    finally:
        shutil.rmtree(folder)
    if options.profile:
        print(result.pop("profile"))
    print(f"{result['rows']:>7} of {seeded['targets']} targets on {result['database']} by {options.user}: "
          f"export {result['seconds']:.2f} s (median of {options.rounds}: "
          f"{', '.join(f'{s:.2f}' for s in result['all'])}), {result['queries']} queries, "
          f"{result['bytes'] / 2**20:.1f} MiB file | RSS {result['rss_before_mib']:.0f} → "
          f"{result['rss_peak_mib']:.0f} MiB | content {result['digest'][:16]}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if sys.argv[1:2] == ["--phase"]:
        phase, *rest = sys.argv[2:]
        result = phase_seed(rest[0]) if phase == "seed" else phase_export(rest[0], int(rest[1]), rest[2] == "1")
        result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
    else:
        main()
