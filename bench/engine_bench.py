"""Engine benchmark: the full quarterly run of every plan of a scale, against the hashing floor and the package.

For a population of the demo generator (``shuangsuiji.demo.generator``: baoding, hebei, national) every
jurisdiction's plan of the fourth quarter of 2021 is drawn — one county-level plan per county, one city-level
plan per city — exactly as the planning workflow does it:

    quotas (engine.quotas with the Baoding 2021 policy) → strata → freeze → commitment → draw (seed, selection,
    inspector assignment) → canonical manifest bytes and their hash → sealed manifest

first in one process, plan after plan, then by ``--workers`` forked processes (one per core by default) drawing
the plans side by side, which must give the same seeds and manifests; and three more figures are measured in
the same process, on the same ids, in CPU seconds (the machine is shared; CPU time is what another process
cannot inflate):

- **selection**: the target selection alone (``sampling.select`` for every stratum of every plan);
- **floor**: bare SHA-256 of exactly what the tickets hash — the stratum seed's hex followed by the id, once per
  (stratum, target), what any ticket costs at least — and, for reference, of every distinct target id once;
- **package**: ``consistent_sampler.sampler`` selecting the same targets (for a weighted stratum, the ticket
  order that systematic PPS walks), its output checked against the engine's.

Each scale runs in its own process, so that peak resident memory (``ru_maxrss``) is its own. The SHA-256 of
every manifest and sealed manifest the run writes is digested into one value and compared with the one recorded
in ``engine_manifests.json`` for the same population (``population_fingerprint``): the engine may get faster,
never write other bytes.

    .venv/bin/python bench/engine_bench.py                  all three scales
    .venv/bin/python bench/engine_bench.py --scale baoding  one scale, printed as JSON
"""

import argparse
import gc
import hashlib
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import consistent_sampler

from shuangsuiji.demo.generator import generate
from shuangsuiji.engine import assignment, canonical, manifest, policy, quotas, sampling

ROOT = Path(__file__).resolve().parents[1]
YEAR, QUARTER = 2021, 4
TODAY = date(2021, 9, 20)
DRAW_DATE = date(2021, 9, 24)
DEADLINE = date(2021, 12, 31)
SCALES = ("baoding", "hebei", "national")
RECORDED = Path(__file__).with_name("engine_manifests.json")
"""Per scale: a fingerprint of the prepared population and the digest of every manifest the run writes, as
recorded from the engine before its 2026-11-29 speed-up; a faster engine must write the very same bytes."""


class PlanData(NamedTuple):
    code: str
    level: str
    facts: list[quotas.TargetFacts]
    weights: dict[str, int]
    officers: int
    pool: list[assignment.Inspector]
    recusals: dict[str, list[str]]
    joint_departments: tuple[str, ...]


def _digest_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def prepare(scale: str) -> list[PlanData]:
    """Plain data per plan, as the Django shell would load it (outside the clock).

    The history the generator does not make is derived from each id's hash, deterministically: 60% of key
    units were inspected on site in the third quarter (the rest become must-include in this second quarter of
    the half-year), and the general stratum is risk-weighted — weight 3 for manufacturing (industry C), 1 else.
    """
    population = generate(scale, seed=2021, today=TODAY)
    levels = {j.code: j.level for j in population.jurisdictions}
    parent = {j.code: j.parent_code for j in population.jurisdictions}
    facts: dict[str, list[quotas.TargetFacts]] = defaultdict(list)
    weights: dict[str, int] = {}
    for row in population.targets:
        if row.status != "active":
            continue
        inspected = date(2021, 8, 16) if _digest_int(row.credit_code) % 10 < 6 else date(2021, 3, 10)
        fact = quotas.TargetFacts(row.credit_code, row.category, row.positive_list,  # type: ignore[arg-type]
                                  last_on_site_inspection=inspected if row.category == "key" else None)
        facts[row.jurisdiction_code].append(fact)
        facts[parent[row.jurisdiction_code]].append(fact)  # the city's plan covers its counties' targets
        if row.category == "general":
            weights[row.credit_code] = 3 if row.industry_code.startswith("C") else 1
    pools: dict[str, list[assignment.Inspector]] = defaultdict(list)
    officers: Counter[str] = Counter()
    for person in population.inspectors:
        if not (person.is_double_random or person.is_external):
            continue
        pools[person.jurisdiction_code].append(assignment.Inspector(
            person.certificate_number, person.department_code, person.specialties, person.certificate_expiry,
            person.status, person.is_external))  # type: ignore[arg-type]
        if person.is_double_random and not person.is_external and person.status == "active":
            officers[person.jurisdiction_code] += 1
    recusals: dict[str, list[str]] = defaultdict(list)
    for recusal in population.recusals:
        recusals[recusal.credit_code].append(recusal.certificate_number)
    plans = []
    for code in sorted(facts):
        level = levels[code]
        if level not in ("city", "county") or not facts[code]:
            continue
        ids = {f.id for f in facts[code]}
        departments = Counter(p.department for p in pools[code] if not p.expert and p.status == "active"
                              and p.certificate_expiry is not None and p.certificate_expiry >= DEADLINE)
        plans.append(PlanData(
            code, level, facts[code], {id: weights[id] for id in ids if id in weights}, officers[code],
            pools[code], {id: recusals[id] for id in ids if id in recusals},
            tuple(sorted(d for d, _ in departments.most_common(2))) if len(departments) > 1 else (),
        ))
    return plans


def population_fingerprint(plans: list[PlanData]) -> str:
    """SHA-256 of the prepared plans' data (the generator's rows as the engine receives them): when it differs
    from the recorded one, the population changed and the recorded manifests say nothing about the engine."""
    fingerprint = hashlib.sha256()
    for plan in plans:
        # the dicts are built from sets, whose order varies with PYTHONHASHSEED: their items are sorted
        data = plan._replace(weights=sorted(plan.weights.items()), recusals=sorted(plan.recusals.items()))
        fingerprint.update(repr(data).encode("utf-8"))
    return fingerprint.hexdigest()


def check_recorded(scale: str, population: str, manifests: str) -> str:
    """Compare the run's manifests with those recorded for the same population; what was found, in words.

    The manifests are compared first: each holds its plan's frozen inputs (every target, weight, officer and
    recusal the draw saw), so the same digest means the same population drawn into the same bytes. The
    population's fingerprint is the ``repr`` of the engine's input objects, which moves when one of their
    classes gains a field; it only tells a changed population from a changed engine when the manifests differ.
    It had moved by 2026-11-30 with the manifests still byte for byte the recorded ones, so a changed engine would
    have passed as a changed population: the fingerprints were recorded again on 2026-12-01 (the manifests
    identical at every scale), and must be again whenever they move with the manifests unchanged."""
    recorded = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
    entry = recorded.get(scale)
    if entry is None:
        return "not recorded"
    if entry["manifests_sha256"] == manifests:
        return "identical to the recorded ones"
    if entry["population"] != population:
        return "population changed since the recording: not comparable"
    raise AssertionError(f"{scale}: the manifests differ from the recorded ones")


def plan_inputs(baoding: policy.Policy, plan: PlanData) -> manifest.FrozenInputs:
    """Quotas, strata and the frozen inputs of one plan (checked, written and hashed once)."""
    # the first three quarters did their share of the year's general and joint inspections
    annual = quotas.ceil_fraction(baoding.general_annual.at(plan.level) * plan.officers)  # type: ignore[arg-type]
    done = quotas.YearProgress(general_inspections={q: annual // 4 for q in (1, 2, 3)},
                               joint_key_inspections={q: 1 for q in (1, 2, 3)})
    computed = quotas.compute_quotas(baoding, plan.facts, inspectors=plan.officers, level=plan.level,  # type: ignore[arg-type]
                                     year=YEAR, quarter=QUARTER, progress=done)
    general = computed.quota("general").eligible
    strata = manifest.strata_from_quotas(
        computed, weights={"general": dict(zip(general, map(plan.weights.__getitem__, general), strict=True))},
        needs={"joint": manifest.Needs(departments=plan.joint_departments)})
    tasks = sum(s.quota for s in strata)
    officers = max(1, plan.officers)
    pool = manifest.AssignmentInputs(DRAW_DATE, DEADLINE, baoding.inspection_team.min_officers,
                                     max(4, -(-2 * baoding.inspection_team.min_officers * tasks // officers)),
                                     plan.pool, recusals=plan.recusals)
    return manifest.freeze_inputs(manifest.Plan(plan.code, plan.level, YEAR, QUARTER),
                                  manifest.PolicyRef.of(baoding), strata, pool)


Outcome = tuple[str, int, int, bool, str]
"""One plan's seed, manifest size, tasks, whether its assignment was infeasible, and the SHA-256 of its
manifest bytes followed by that of its sealed manifest's bytes."""


def draw_plan(baoding: policy.Policy, plan: PlanData) -> Outcome:
    """One plan's quarterly run: its seed, manifest size, tasks, whether its assignment was infeasible, and
    the SHA-256 of its manifest and sealed manifest (every byte the run writes, to compare runs by)."""
    frozen = plan_inputs(baoding, plan)
    digest = frozen.digest  # published at the freeze
    secret = hashlib.sha256(f"bench secret {plan.code}".encode()).digest()
    public = manifest.dice(f"{_digest_int(plan.code) % 10**8:08d}", ["见证人甲", "见证人乙"])
    # The draw takes the inputs its freeze checked and wrote, and writes its manifest from them and values it
    # computed itself, so the manifest is canonical as it stands (tests/engine/test_manifest.py holds every
    # draw to it): its bytes are written in the same call, without walking its millions of values again.
    result, stored = manifest.draw_canonical(frozen, secret, public)
    stored_hash = canonical.sha256_hex(stored)
    sealed_hash = canonical.sha256_hex(canonical.dumps(manifest.seal(result)))
    assert result["inputs_hash"] == digest
    return (result["seed"], len(stored), len(result["assignment"]["problem"]["tasks"]),
            bool(result["assignment"]["result"]["bindings"]), stored_hash + sealed_hash)


_SHARED: tuple[policy.Policy, list[PlanData]] | None = None
"""What a forked worker draws from: the population is shared with the parent, not copied to each worker."""


def _draw_shared(k: int) -> Outcome:
    assert _SHARED is not None
    baoding, plans = _SHARED
    return draw_plan(baoding, plans[k])


def full_run(baoding: policy.Policy, plans: list[PlanData], workers: int = 1) -> dict[str, Any]:
    """The quarterly run, timed as a whole; returns the figures and what the other measurements need.

    With ``workers`` > 1 the plans are drawn by that many forked processes, as a deployment's workers
    would draw a quarter's plans side by side (each plan's draw is independent of the others'); the CPU
    time is then the parent's and the workers' together."""
    global _SHARED
    started, cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if workers == 1:
        outcomes = [draw_plan(baoding, plan) for plan in plans]
        worker_rss = 0
    else:
        _SHARED = (baoding, plans)
        # largest plans first, so that no worker is left with a city's plan at the end
        order = sorted(range(len(plans)), key=lambda k: -len(plans[k].facts))
        pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            drawn = dict(zip(order, pool.imap(_draw_shared, order), strict=True))
        finally:
            pool.close()
            pool.join()
            _SHARED = None
        outcomes = [drawn[k] for k in range(len(plans))]
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu + child_cpu,
            "seeds": [o[0] for o in outcomes], "manifest_bytes": sum(o[1] for o in outcomes),
            "tasks": sum(o[2] for o in outcomes), "infeasible_assignments": sum(o[3] for o in outcomes),
            "manifests_sha256": hashlib.sha256("".join(o[4] for o in outcomes).encode("ascii")).hexdigest(),
            "worker_peak_rss_kib": worker_rss}


Check = tuple[str, list[str], int, list[str]]
"""A stratum for the package: its seed string, the ids it draws from, how many, and the engine's answer."""


def selection_only(baoding: policy.Policy, plans: list[PlanData],
                   seeds: list[str]) -> tuple[float, list[Check], list[tuple[str, list[str]]]]:
    """Every stratum's selection again, alone; what the package must reproduce; the ids each stratum hashed.

    The inputs are frozen again (outside the clock) rather than kept from the run, so that the run holds one
    plan's data at a time, as a worker drawing plan after plan does."""
    strata = []
    for plan, seed in zip(plans, seeds, strict=True):
        for s in plan_inputs(baoding, plan).value()["strata"]:
            targets = s["targets"]
            strata.append((s["name"], [t[0] for t in targets], [t[1] for t in targets], [t[2] for t in targets],
                           s["quota"], bool(s["weighted"]), seed))
    started = time.process_time()
    results = [sampling.select(name, ids, weights, musts, quota, seed, weighted)
               for name, ids, weights, musts, quota, weighted, seed in strata]
    seconds = time.process_time() - started
    checks = []
    hashed = []
    for (_, ids, _, musts, quota, weighted, _), result in zip(strata, results, strict=True):
        hashed.append((result.seed, ids))
        others = [id for id, must in zip(ids, musts, strict=True) if not must]
        required = sum(musts)
        drawn_ids = [p.id for p in result.selected[required:]]
        checks.append((result.seed, others, len(others) if weighted else quota - required,
                       [] if weighted else drawn_ids))
    return seconds, checks, hashed


def package_run(checks: list[Check]) -> float:
    started = time.process_time()
    outputs = [list(consistent_sampler.sampler(ids, seed=seed, take=take, with_replacement=False, output="id"))
               for seed, ids, take, _ in checks]
    seconds = time.process_time() - started
    for (_, _, _, expected), output in zip(checks, outputs, strict=True):
        if expected:
            assert output == expected, "the engine and consistent_sampler disagree"
    return seconds


def floor(hashed: list[tuple[str, list[str]]]) -> float:
    """Bare SHA-256 of exactly what the tickets hash: the stratum seed's hex followed by each id."""
    prefixes = [(hashlib.sha256(seed.encode("utf-8")).hexdigest(), ids) for seed, ids in hashed]
    sha256 = hashlib.sha256
    started = time.process_time()
    for prefix, ids in prefixes:
        for id in ids:
            sha256((prefix + id).encode("utf-8")).digest()
    return time.process_time() - started


PHASES = (
    ("quotas", quotas, "compute_quotas"),
    ("strata", manifest, "strata_from_quotas"),
    ("freeze (inputs checked, written and hashed)", manifest, "freeze_inputs"),
    ("draw (with the manifest's bytes)", manifest, "draw_canonical"),
    ("reading inputs strictly (at the freeze)", manifest, "_read_inputs"),
    ("draw: selection", manifest, "select_checked"),
    ("draw: assignment section", manifest, "_assignment_section"),
    ("draw: assignment solver", assignment, "_assign_json"),
    ("canonical JSON (inputs, manifest, seal)", canonical, "dumps"),
)
"""What ``--phases`` times: (label, module, function). Phases nest (the draw contains the selection) and some
functions run in several places (``dumps`` in the freeze, the draw's manifest bytes and the seal): each figure is
that function's total, wherever it ran."""


def phases(baoding: policy.Policy, plans: list[PlanData]) -> dict[str, float]:
    """CPU seconds of each phase of the run, by wrapping the functions of ``PHASES`` for one run."""
    spent: dict[str, float] = {label: 0.0 for label, _, _ in PHASES}
    originals = []

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
        return wrapper

    for label, module, name in PHASES:
        originals.append((module, name, getattr(module, name)))
        setattr(module, name, timed(label, getattr(module, name)))
    try:
        spent["whole run"] = full_run(baoding, plans)["cpu_seconds"]
    finally:
        for module, name, function in originals:
            setattr(module, name, function)
    return {label: round(seconds, 2) for label, seconds in spent.items()}


def measure(scale: str, with_phases: bool = False, workers: int = 2) -> dict[str, Any]:
    # Version 1 of the Baoding policy, under which the recorded manifests were drawn (a manifest holds its policy's
    # fingerprint). Version 2 only adds the rule clue_check, which no quota or draw of a quarterly plan reads.
    baoding = policy.load(ROOT / "policies" / "baoding-2021-v1.toml")
    started = time.perf_counter()
    plans = prepare(scale)
    prepared = time.perf_counter() - started
    ids = sorted({f.id for plan in plans for f in plan.facts})
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # A batch of draws allocates millions of small containers (target rows, picks, tasks) that reference
    # counting frees; the cyclic collector's passes over them cost about a third of the run, so a batch
    # worker switches it off while drawing, as the import benchmark does. One plan's draw does not notice.
    gc.disable()
    run = full_run(baoding, plans)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parallel = full_run(baoding, plans, workers) if workers > 1 else run
    assert parallel["seeds"] == run["seeds"] and parallel["manifests_sha256"] == run["manifests_sha256"]
    split = phases(baoding, plans) if with_phases else None
    gc.enable()
    selection_seconds, checks, hashed = selection_only(baoding, plans, run["seeds"])
    population = population_fingerprint(plans)
    return {
        "scale": scale,
        "plans": len(plans),
        "targets": len(ids),
        "tickets": sum(len(ids_) for _, ids_ in hashed),
        "tasks": run["tasks"],
        "inspectors": sum(len(p.pool) for p in plans),
        "infeasible_assignments": run["infeasible_assignments"],
        "prepare_seconds": round(prepared, 3),
        "run_seconds": round(run["seconds"], 3),
        "run_cpu_seconds": round(run["cpu_seconds"], 3),
        "workers": workers,
        "workers_seconds": round(parallel["seconds"], 3),
        "workers_cpu_seconds": round(parallel["cpu_seconds"], 3),
        "worker_peak_rss_mib": round(parallel["worker_peak_rss_kib"] / 1024),
        "selection_seconds": round(selection_seconds, 3),
        "floor_seconds": round(floor(hashed), 3),
        "floor_unique_seconds": round(floor([("floor", ids)]), 3),
        "package_seconds": round(package_run(checks), 3),
        "manifest_mib": round(run["manifest_bytes"] / 2**20, 1),
        "population_sha256": population,
        "manifests_sha256": run["manifests_sha256"],
        "manifests": check_recorded(scale, population, run["manifests_sha256"]),
        "rss_before_mib": round(rss_before / 1024),
        "peak_rss_mib": round(rss_after / 1024),
        **({"phases_cpu_seconds": split} if split else {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES)
    parser.add_argument("--phases", action="store_true",
                        help="with --scale: run once more with each phase timed (after the peak memory is read)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="also draw the plans with this many forked worker processes (default: one per core)")
    args = parser.parse_args()
    if args.scale:
        print(json.dumps(measure(args.scale, args.phases, args.workers)))
        return 0
    print(f"| scale | plans | targets | tickets | tasks | full run: one process, wall (CPU) | RSS before → peak "
          f"| {args.workers} workers, wall (CPU) | worker peak RSS | selection | floor (tickets / ids) "
          f"| run CPU ÷ floor | {args.workers} workers' wall ÷ floor | selection ÷ floor | package | manifests "
          f"| bytes |")
    print("| --- |" + " ---: |" * 15 + " --- |")
    for scale in SCALES:
        out = subprocess.run([sys.executable, __file__, "--scale", scale, "--workers", str(args.workers)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        floor_seconds = r["floor_seconds"]
        print(f"| {scale} | {r['plans']:,} | {r['targets']:,} | {r['tickets']:,} | {r['tasks']:,} "
              f"| {r['run_seconds']} s ({r['run_cpu_seconds']} s) | {r['rss_before_mib']} → {r['peak_rss_mib']} MiB "
              f"| {r['workers_seconds']} s ({r['workers_cpu_seconds']} s) | {r['worker_peak_rss_mib']} MiB "
              f"| {r['selection_seconds']} s | {floor_seconds} s / {r['floor_unique_seconds']} s "
              f"| {r['run_cpu_seconds'] / floor_seconds:.1f} | {r['workers_seconds'] / floor_seconds:.1f} "
              f"| {r['selection_seconds'] / floor_seconds:.1f} | {r['package_seconds']} s | {r['manifest_mib']} MiB "
              f"| {r['manifests']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
