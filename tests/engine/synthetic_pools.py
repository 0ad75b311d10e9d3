"""Synthetic assignment problems: realistic mixes of joint tasks, specialties, experts, recusals, leave and
expiring certificates, the same every run. (The engine's benchmark, ``bench/engine_bench.py``, assigns the
demo generator's populations instead.)
"""

import hashlib
from datetime import date, timedelta

from shuangsuiji.engine.assignment import Inspector, Problem, Task

DEPARTMENTS = ("大气环境处", "水生态环境处", "固体废物及化学品处", "辐射安全管理处", "综合执法支队")
SPECIALTIES = ("辐射", "危险废物", "在线监测", "VOCs", "污水处理", "噪声")
DRAW_DATE = date(2021, 6, 24)
DEADLINE = date(2021, 9, 30)


class _Dice:
    """Deterministic pseudo-random integers from SHA-256, so a benchmark instance never changes."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.counter = 0

    def below(self, n: int) -> int:
        self.counter += 1
        digest = hashlib.sha256(f"{self.label}:{self.counter}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % n

    def chance(self, percent: int) -> bool:
        return self.below(100) < percent


def synthetic_problem(tasks: int, inspectors: int, label: str = "bench", max_load: int | None = None) -> Problem:
    """One jurisdiction's pool: a realistic mix, feasible with high probability."""
    dice = _Dice(label)
    people = []
    for n in range(inspectors):
        expert = dice.chance(5)
        department = DEPARTMENTS[dice.below(len(DEPARTMENTS))]
        specialties = tuple(s for s in SPECIALTIES if dice.chance(20))
        expiry = DEADLINE + timedelta(days=dice.below(1500)) if not dice.chance(4) else DEADLINE - timedelta(days=30)
        status = "on_leave" if dice.chance(3) else "active"
        people.append(Inspector(f"{label}-{n:05d}", department, specialties, None if expert else expiry, status,
                                expert))
    ids = [p.id for p in people]
    # plans ask only for what the pool has: departments, specialties and experts present in it
    officers = [p for p in people if not p.expert and p.status == "active" and p.certificate_expiry
                and p.certificate_expiry >= DEADLINE]
    present = sorted({p.department for p in officers})
    skills = sorted({s for p in officers for s in p.specialties})
    expertise = sorted({s for p in people if p.expert and p.status == "active" for s in p.specialties})
    work = []
    for n in range(tasks):
        departments: tuple[str, ...] = ()
        if len(present) > 1 and dice.chance(10):
            first = dice.below(len(present) - 1)
            departments = (present[first], present[first + 1])
        specialties = (skills[dice.below(len(skills))],) if skills and dice.chance(15) else ()
        experts = (expertise[dice.below(len(expertise))],) if expertise and dice.chance(2) else ()
        recusals = tuple(ids[dice.below(len(ids))] for _ in range(dice.below(3))) if dice.chance(5) else ()
        work.append(Task(f"{label}T{n:06d}", DEADLINE, 2, departments, specialties, experts, recusals))
    pairs = []
    for _ in range(min(2 * tasks, inspectors * (inspectors - 1) // 4)):
        a, b = dice.below(inspectors), dice.below(inspectors)
        if a != b:
            pairs.append((ids[a], ids[b]))
    if max_load is None:
        max_load = max(4, -(-3 * 2 * tasks // max(1, inspectors)))
    return Problem(DRAW_DATE, tuple(work), tuple(people), max_load, tuple(pairs))
