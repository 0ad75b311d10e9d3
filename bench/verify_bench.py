"""``manage.py verify_records`` over N sealed records, timed as the nightly job runs it: a whole process.

Set-up, in its own process and outside the clock: a fresh database (SQLite in a temporary folder, or the
PostgreSQL database named in ``DATABASE_URL``, dropped and created) with ``MEDIA_ROOT`` in the same folder,
migrated; demo Baoding (``seed_demo``, a fixed base date: ~6,200 sealed records, their items, signatures, the
photos of the records with problems, one ``record.seal`` event each); then, with ``--copies K``, K more
generations of every record that has no amendment: each copy an amendment of the one before (the only way a
second record of the same visit may exist), with the rows and photo references of its original, built and
sealed by ``fieldwork.sealing`` as the demo builds its records, one ``record.seal`` event each.

Timed: ``manage.py verify_records -v 0`` in a child process (``DEBUG=False``), its wall time and peak resident
memory; ``--tree DIR`` runs the ``manage.py`` of another checkout of the code on the same database (the
"before" figures). Exit status of the command must be 0: every record verifies.

    .venv/bin/python bench/verify_bench.py --copies 4 --keep /tmp/verify-bench      # set up, time, keep
    .venv/bin/python bench/verify_bench.py --reuse /tmp/verify-bench --tree /tmp/old-code
    .venv/bin/python bench/verify_bench.py --reuse /tmp/verify-bench --no-files      # rows only
    .venv/bin/python bench/verify_bench.py --reuse /tmp/verify-bench --profile       # cProfile, in-process
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_verify .venv/bin/python bench/verify_bench.py --copies 4
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from fresh_db import fresh_environment  # bench/ is the script's own directory, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 20)
BATCH = 500


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()


def phase_seed(copies: int) -> dict:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    # allow_production: the benchmark's environment has DEBUG off, as in production, where seed_demo refuses
    call_command("seed_demo", today=TODAY, allow_production=True, verbosity=0)
    made = 0
    for copy in range(1, copies + 1):
        made += _copy_generation(copy)
    from shuangsuiji.fieldwork.models import Attachment, InspectionRecord

    return {"records": InspectionRecord.objects.sealed().count(), "copies": made,
            "attachments": Attachment.objects.filter(record__sealed_at__isnull=False).count(),
            "setup_seconds": time.perf_counter() - started}


def _copy_generation(copy: int) -> int:
    """Seal an amendment of every sealed record that has none: the same rows, its own number and seal."""
    from django.db import transaction

    from shuangsuiji.accounts.models import User
    from shuangsuiji.audit.services import PendingEvent, record_events
    from shuangsuiji.engine import canonical
    from shuangsuiji.fieldwork import sealing
    from shuangsuiji.fieldwork.models import Attachment, InspectionRecord, ItemResult, Signature

    approver = User.objects.get(username="city")
    leaves = list(InspectionRecord.objects.sealed().filter(amendment__isnull=True).order_by("pk")
                  .values_list("pk", flat=True))
    skip = {"id", "number", "amends", "amendment_reason", "amendment_approved_by", "amendment_approved_at",
            "created_at", "sealed_at", "sealed_by", "seal_hash", "sealed_content"}
    record_fields = [f for f in InspectionRecord._meta.concrete_fields if f.name not in skip]

    def children(model, records) -> dict[int, list]:
        rows: dict[int, list] = {r.pk: [] for r in records}
        for row in model.objects.filter(record__in=records).order_by("pk"):
            rows[row.record_id].append(row)
        return rows

    def copied(row, record):
        row.pk = row.id = None
        row.record = record
        return row

    for start in range(0, len(leaves), BATCH):
        with transaction.atomic():
            originals = list(InspectionRecord.objects.filter(pk__in=leaves[start:start + BATCH]).select_related(
                "task", "recheck", "target", "on_site_approval__decided_by", "on_site_clue__decided_by",
                "sealed_by").order_by("pk"))
            items, attachments = children(ItemResult, originals), children(Attachment, originals)
            signatures = children(Signature, originals)
            fresh = []
            for original in originals:
                record = InspectionRecord(**{f.attname: getattr(original, f.attname) for f in record_fields})
                record.number = f"{original.number.split('-B')[0]}-B{copy}"
                record.amends = original
                record.amendment_reason = f"基准测试：第 {copy} 份副本"
                record.amendment_approved_by = approver
                record.amendment_approved_at = original.sealed_at + timedelta(hours=1)
                for name in ("task", "recheck", "target", "on_site_approval", "on_site_clue"):
                    setattr(record, name, getattr(original, name))
                fresh.append(record)
            InspectionRecord.objects.bulk_create(fresh, batch_size=BATCH)
            new_items = {r.pk: [copied(i, r) for i in items[o.pk]] for o, r in zip(originals, fresh, strict=True)}
            new_files = {r.pk: [copied(a, r) for a in attachments[o.pk]]
                         for o, r in zip(originals, fresh, strict=True)}
            ItemResult.objects.bulk_create([row for rows in new_items.values() for row in rows], batch_size=BATCH)
            Attachment.objects.bulk_create([row for rows in new_files.values() for row in rows], batch_size=BATCH)
            contents = {r.pk: sealing.content_document(r, new_items[r.pk], new_files[r.pk]) for r in fresh}
            new_signatures = {}
            for original, record in zip(originals, fresh, strict=True):
                new_signatures[record.pk] = [copied(s, record) for s in signatures[original.pk]]
                for signature in new_signatures[record.pk]:
                    signature.content_hash = canonical.digest(contents[record.pk])
            Signature.objects.bulk_create([row for rows in new_signatures.values() for row in rows],
                                          batch_size=BATCH)
            order = {"officer": 0, "expert": 1, "site_manager": 2}
            for original, record in zip(originals, fresh, strict=True):
                signed = sorted(new_signatures[record.pk], key=lambda s: (order.get(s.role, 9), s.pk))
                record.sealed_at = original.sealed_at + timedelta(hours=2)
                record.sealed_by = original.sealed_by
                data = sealing.seal_bytes(sealing.seal_document(record, contents[record.pk], signed,
                                                                record.sealed_at, record.sealed_by))
                record.sealed_content = data.decode("utf-8")
                record.seal_hash = canonical.sha256_hex(data)
            InspectionRecord.objects.bulk_update(fresh, ["sealed_at", "sealed_by", "seal_hash", "sealed_content"],
                                                 batch_size=BATCH)
            record_events([PendingEvent("record.seal", r, r.target.jurisdiction_id,
                                        {"seal_hash": [None, r.seal_hash], "mode": [None, r.mode]}, "基准测试")
                           for r in fresh], actor=None)
    return len(leaves)


def phase_profile() -> dict:
    """One in-process run of the command under cProfile (which about doubles its time), and its queries."""
    import cProfile
    import io
    import pstats

    _django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        call_command("verify_records", verbosity=0)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    return {"queries": len(queries), "profile": out.getvalue()}


def run_phase(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"phase {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_command(tree: Path, env: dict, extra: list[str]) -> dict:
    """Wall and CPU seconds and peak RSS (MiB) of ``manage.py verify_records -v 0`` of ``tree``, its own process.

    CPU time (user + system) is given beside the wall time: on a machine shared with other work it is the
    steadier figure (the wall time also counts the waits for a core)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        command = [sys.executable, str(tree / "manage.py"), "verify_records", "-v", "0", *extra]
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=tree)
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage, not the set-up's
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            sys.exit(f"verify_records failed ({child.returncode}):\n{err.read().decode()[-3000:]}")
    return {"wall": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=0, help="generations of amendments added to demo Baoding")
    parser.add_argument("--keep", help="set up in this folder and keep it (for --reuse)")
    parser.add_argument("--reuse", help="a folder --keep left: no set-up")
    parser.add_argument("--tree", default=str(ROOT), help="the checkout whose manage.py is timed")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-files", action="store_true", help="time verify_records --no-files (rows only)")
    options = parser.parse_args()
    folder = options.reuse or options.keep or tempfile.mkdtemp()
    try:
        if options.reuse:
            env = json.loads((Path(folder) / "env.json").read_text())
        else:
            Path(folder).mkdir(parents=True, exist_ok=True)
            env = fresh_environment(folder)
            env["MEDIA_ROOT"] = f"{folder}/media"
            seeded = run_phase(["seed", str(options.copies)], env)
            (Path(folder) / "env.json").write_text(json.dumps(env))
            (Path(folder) / "seeded.json").write_text(json.dumps(seeded))
        seeded = json.loads((Path(folder) / "seeded.json").read_text())
        if options.profile:
            result = run_phase(["profile"], env)
            print(result["profile"])
            print(f"{result['queries']} queries")
            return
        extra = ["--no-files"] if options.no_files else []
        timings = [time_command(Path(options.tree), env, extra) for _round in range(options.rounds)]
    finally:
        if not (options.keep or options.reuse):
            shutil.rmtree(folder)
    best = min(timings, key=lambda t: t["wall"])
    load = os.getloadavg()[0]
    print(f"{seeded['records']} sealed records ({seeded['attachments']} photos) on "
          f"{env['DATABASE_URL'].split(':')[0]}, code of {options.tree}: {' '.join(['verify_records', *extra])} "
          f"{', '.join(f'{t['wall']:.1f}' for t in timings)} s wall, {best['cpu']:.1f} s CPU "
          f"({1000 * best['wall'] / seeded['records']:.2f} ms a record, "
          f"{best['wall'] * 10_000 / seeded['records']:.0f} s per 10,000), peak RSS "
          f"{max(t['rss'] for t in timings):.0f} MiB, load average {load:.1f}")

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--phase"]:
        phase, *rest = sys.argv[2:]
        result = phase_seed(int(rest[0])) if phase == "seed" else phase_profile()
        print(json.dumps(result))
    else:
        main()
