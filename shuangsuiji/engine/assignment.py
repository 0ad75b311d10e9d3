"""Inspector assignment: the second random draw of "双随机" (DESIGN §4).

After the targets are drawn, each task (one visit to one target) gets a team of inspectors drawn from
the jurisdiction's pool, from the draw's seed alone, so that anyone can re-run it.

A task's requirement is a list of *slots*; each slot is filled by a different officer who holds a
valid 执法证 through the tasks' deadline, is active, is not recused from the target, and matches the
slot's department (one officer from each department of a joint task) and specialty, if the slot names
them. ``slots_for`` builds the usual list: one slot per department of a joint task, one per specialty the
check items need, then "any officer" slots up to the policy's minimum team (2). Outside experts hold no
执法证 and never fill a slot; they join beyond the officers (指导意见 (十)) outside this draw.

The draw is complete: it finds an assignment whenever one exists. With no cap on an officer's load
the only obstacle is inside one task (too few distinct eligible officers for its slots), so each task is
first checked by bipartite matching; an infeasible task is reported with its binding constraint (the
slots that cannot all be filled and the only officers eligible for them). Then the slots are filled as a
flow: source → officer (capacity = the load cap) → (officer, task) (capacity 1, so an officer appears
once per team) → slot → sink. The load cap starts at the smallest value that could possibly work
(⌈slots / officers⌉) and rises only when the maximum flow falls short, so the heaviest load is as small
as it can be. A greedy pass in ticket order fills most slots (least-loaded officer first, then fewest
repeated pairs, then the ticket); breadth-first augmenting paths in the residual network fill the rest.
Afterwards loads are levelled among interchangeable officers (same department, specialties and
recusals) to within one task, and pairs that inspected together in the last two quarters are broken up
by exchanging members between teams where that breaks no rule.

Every choice is ordered by tickets derived from the seed (SHA-256, domain "assign"); nothing else is
random and no floating point is used. ``docs/assignment-spec.md`` is the byte-level specification that
``tools/verify_assignment.py`` re-implements independently.
"""

import hashlib
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

ALGORITHM = "shuangsuiji-assign/1"


@dataclass(frozen=True)
class Slot:
    """One place in a team: "" means any department / no specialty needed."""

    department: str = ""
    specialty: str = ""


@dataclass(frozen=True)
class TaskSpec:
    id: str
    slots: tuple[Slot, ...]
    recused: tuple[str, ...] = ()
    """Inspector ids that may not inspect this target (回避)."""


@dataclass(frozen=True)
class InspectorSpec:
    id: str
    department: str
    specialties: tuple[str, ...] = ()
    certificate_expiry: str = ""
    """ISO date of the 执法证's expiry; empty for outside experts, who hold none."""
    status: str = "active"


@dataclass(frozen=True)
class AssignmentProblem:
    tasks: tuple[TaskSpec, ...]
    inspectors: tuple[InspectorSpec, ...]
    valid_through: str
    """ISO date the certificates must still be valid on: the tasks' deadline."""
    recent_pairs: tuple[tuple[str, str], ...] = ()
    """Officers who inspected together in the last two quarters; kept apart where avoidable."""
    min_officers: int = 2

    def to_json(self) -> dict[str, Any]:
        return {
            "min_officers": self.min_officers,
            "valid_through": self.valid_through,
            "recent_pairs": sorted(sorted(pair) for pair in self.recent_pairs),
            "inspectors": [
                {"id": i.id, "department": i.department, "specialties": sorted(i.specialties),
                 "certificate_expiry": i.certificate_expiry, "status": i.status}
                for i in sorted(self.inspectors, key=lambda i: i.id)
            ],
            "tasks": [
                {"id": t.id, "recused": sorted(t.recused),
                 "slots": [{"department": s.department, "specialty": s.specialty} for s in t.slots]}
                for t in sorted(self.tasks, key=lambda t: t.id)
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AssignmentProblem":
        return cls(
            tasks=tuple(TaskSpec(t["id"], tuple(Slot(s["department"], s["specialty"]) for s in t["slots"]),
                                 tuple(t["recused"])) for t in data["tasks"]),
            inspectors=tuple(InspectorSpec(i["id"], i["department"], tuple(i["specialties"]),
                                           i["certificate_expiry"], i["status"]) for i in data["inspectors"]),
            valid_through=data["valid_through"],
            recent_pairs=tuple(tuple(pair) for pair in data["recent_pairs"]),
            min_officers=data["min_officers"],
        )


@dataclass(frozen=True)
class AssignmentResult:
    teams: Mapping[str, tuple[str, ...]]
    """Task id → inspector ids, in the order of the task's slots."""
    load_cap: int = 0
    binding: tuple[str, ...] = ()
    """Why no assignment exists (empty when ``feasible``), in Chinese, one line per obstacle."""
    substitutions: tuple[Mapping[str, Any], ...] = ()
    algorithm: str = ALGORITHM

    @property
    def feasible(self) -> bool:
        return not self.binding

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "load_cap": self.load_cap,
            "binding": list(self.binding),
            "teams": {task: list(team) for task, team in sorted(self.teams.items())},
            "substitutions": [dict(s) for s in self.substitutions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AssignmentResult":
        return cls(
            teams={task: tuple(team) for task, team in data["teams"].items()},
            load_cap=data["load_cap"],
            binding=tuple(data["binding"]),
            substitutions=tuple(dict(s) for s in data["substitutions"]),
            algorithm=data["algorithm"],
        )


def slots_for(departments: Sequence[str] = (), specialties: Sequence[str] = (), min_officers: int = 2) -> tuple[
        Slot, ...]:
    """The usual team: one officer per department of a joint task, one per specialty, then any officers."""
    slots = [Slot(department=d) for d in dict.fromkeys(departments)]
    slots += [Slot(specialty=s) for s in dict.fromkeys(specialties)]
    slots += [Slot()] * max(0, min_officers - len(slots))
    return tuple(slots)


def ticket(seed: bytes, *parts: str) -> bytes:
    """SHA-256 over the seed's hex and the parts, "|"-separated, in UTF-8: the order of every choice."""
    return hashlib.sha256("|".join((seed.hex(), "assign", *parts)).encode("utf-8")).digest()


def eligible(inspector: InspectorSpec, slot: Slot, task: TaskSpec, valid_through: str) -> bool:
    return (
        inspector.status == "active"
        and inspector.certificate_expiry != ""
        and inspector.certificate_expiry >= valid_through
        and inspector.id not in task.recused
        and (not slot.department or inspector.department == slot.department)
        and (not slot.specialty or slot.specialty in inspector.specialties)
    )


def describe_slot(slot: Slot) -> str:
    parts = [f"{slot.department}科室" if slot.department else "",
             f"具备“{slot.specialty}”专长" if slot.specialty else ""]
    text = "、".join(p for p in parts if p)
    return f"{text}的执法人员" if text else "执法人员"


_ANY_TASK = TaskSpec("", ())


class _Pool:
    """The working state of one assignment: who holds which slot, and each officer's load."""

    def __init__(self, problem: AssignmentProblem, seed: bytes) -> None:
        self.problem = problem
        self.seed = seed
        self.tasks = sorted(problem.tasks, key=lambda t: (ticket(seed, "task", t.id), t.id))
        self.recent = {frozenset(pair) for pair in problem.recent_pairs}
        # Every officer's rank on the circle of officer tickets; a task starts its round at an offset
        # drawn from its own ticket, so each task meets the officers in its own random order.
        ordered = sorted(problem.inspectors, key=lambda i: (ticket(seed, "officer", i.id), i.id))
        self.rank = {inspector.id: n for n, inspector in enumerate(ordered)}
        self.offset = [int.from_bytes(ticket(seed, "task", task.id), "big") % max(1, len(ordered))
                       for task in self.tasks]
        # slots are (task index, slot index); eligible officers of each, in rank order
        self.slots: list[tuple[int, int]] = []
        self.candidates: dict[tuple[int, int], list[str]] = {}
        self.candidate_sets: dict[tuple[int, int], set[str]] = {}
        by_requirement: dict[Slot, tuple[list[str], set[str]]] = {}
        for task_index, task in enumerate(self.tasks):
            for slot_index, slot in enumerate(task.slots):
                if slot not in by_requirement:
                    names = [i.id for i in ordered if eligible(i, slot, _ANY_TASK, problem.valid_through)]
                    by_requirement[slot] = (names, set(names))
                names, name_set = by_requirement[slot]
                if task.recused:
                    names = [name for name in names if name not in task.recused]
                    name_set = set(names)
                self.slots.append((task_index, slot_index))
                self.candidates[(task_index, slot_index)] = names
                self.candidate_sets[(task_index, slot_index)] = name_set
        self.holder: dict[tuple[int, int], str] = {}
        self.member: dict[tuple[str, int], int] = {}  # (inspector, task index) → slot index
        self.load: dict[str, int] = {}

    def turn(self, task_index: int, name: str) -> int:
        """The officer's place in the task's round: rank counted from the task's offset."""
        return (self.rank[name] - self.offset[task_index]) % len(self.rank)

    def team(self, task_index: int) -> list[str]:
        return [self.holder[(task_index, k)] for k in range(len(self.tasks[task_index].slots))
                if (task_index, k) in self.holder]

    def pairs_with(self, name: str, others: Iterable[str]) -> int:
        return sum(frozenset((name, other)) in self.recent for other in others if other != name)

    def place(self, slot: tuple[int, int], name: str) -> None:
        self.holder[slot] = name
        self.member[(name, slot[0])] = slot[1]

    # -- greedy --------------------------------------------------------------------------------------
    def greedy(self, cap: int) -> None:
        for task_index, task in enumerate(self.tasks):
            order = sorted(range(len(task.slots)), key=lambda k: (len(self.candidates[(task_index, k)]), k))
            for k in order:
                slot = (task_index, k)
                if slot in self.holder:
                    continue
                team = self.team(task_index)
                best = None
                for name in self.candidates[slot]:
                    if (name, task_index) in self.member or self.load.get(name, 0) >= cap:
                        continue
                    key = (self.load.get(name, 0), self.pairs_with(name, team), self.turn(task_index, name))
                    if best is None or key < best[0]:
                        best = (key, name)
                if best is not None:
                    self.place(slot, best[1])
                    self.load[best[1]] = self.load.get(best[1], 0) + 1

    # -- augmenting paths in the residual network ----------------------------------------------------
    def augment(self, cap: int) -> bool:
        """Find one augmenting path source → officer → (officer, task) → slot → sink and apply it."""
        tasks_of: dict[str, list[int]] = {}
        for slot in self.slots:
            for name in self.candidates[slot]:
                rows = tasks_of.setdefault(name, [])
                if not rows or rows[-1] != slot[0]:
                    rows.append(slot[0])
        starts = sorted((name for name in tasks_of if self.load.get(name, 0) < cap), key=self.rank.__getitem__)
        parent: dict[tuple, tuple | None] = {}
        queue: deque[tuple] = deque()
        for name in starts:
            node = ("i", name)
            parent[node] = None
            queue.append(node)
        while queue:
            node = queue.popleft()
            if node[0] == "i":
                name = node[1]
                nexts = [("g", name, t) for t in sorted(set(tasks_of.get(name, ())))
                         if (name, t) not in self.member]
            elif node[0] == "g":
                _, name, t = node
                nexts = [("s", (t, k)) for k in range(len(self.tasks[t].slots))
                         if name in self.candidate_sets[(t, k)] and self.holder.get((t, k)) != name]
                if (name, t) in self.member:
                    nexts.append(("i", name))
            else:
                slot = node[1]
                if slot not in self.holder:
                    self._apply(node, parent)
                    return True
                nexts = [("g", self.holder[slot], slot[0])]
            for nxt in nexts:
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        return False

    def _apply(self, end: tuple, parent: Mapping[tuple, tuple | None]) -> None:
        path = [end]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.reverse()
        self.load[path[0][1]] = self.load.get(path[0][1], 0) + 1
        for a, b in pairwise(path):
            if a[0] == "g" and b[0] == "i":  # the officer leaves this task
                self.member.pop((a[1], a[2]), None)
            elif a[0] == "g" and b[0] == "s":  # the officer takes this slot
                old_slot = self.member.get((a[1], a[2]))
                if old_slot is not None and self.holder.get((a[2], old_slot)) == a[1]:
                    del self.holder[(a[2], old_slot)]
                self.place(b[1], a[1])

    # -- levelling and pair avoidance ----------------------------------------------------------------
    def level(self) -> None:
        classes: dict[tuple, list[str]] = {}
        recused_by: dict[str, set[str]] = {}
        for task in self.tasks:
            for name in task.recused:
                recused_by.setdefault(name, set()).add(task.id)
        for inspector in self.problem.inspectors:
            key = (inspector.department, tuple(sorted(inspector.specialties)), inspector.status,
                   inspector.certificate_expiry >= self.problem.valid_through and inspector.certificate_expiry != "",
                   tuple(sorted(recused_by.get(inspector.id, ()))))
            classes.setdefault(key, []).append(inspector.id)
        for names in classes.values():
            if len(names) < 2:
                continue
            while True:
                ordered = sorted(names, key=lambda n: (self.load.get(n, 0), self.rank[n]))
                low, high = ordered[0], ordered[-1]
                if self.load.get(high, 0) - self.load.get(low, 0) < 2:
                    break
                movable = sorted((t for (name, t) in self.member if name == high and (low, t) not in self.member),
                                 key=lambda t: self.turn(t, low))
                t = movable[0]
                k = self.member.pop((high, t))
                self.place((t, k), low)
                self.load[high] -= 1
                self.load[low] = self.load.get(low, 0) + 1

    def separate_recent_pairs(self) -> None:
        if not self.recent:
            return
        for t, task in enumerate(self.tasks):
            for k in range(len(task.slots)):
                name = self.holder[(t, k)]
                if not self.pairs_with(name, self.team(t)):
                    continue
                self._exchange((t, k))

    def _exchange(self, slot: tuple[int, int]) -> None:
        t, k = slot
        name = self.holder[slot]
        for other in self.candidates[slot]:
            if other == name or (other, t) in self.member:
                continue
            rest_here = [n for n in self.team(t) if n != name]
            if self.pairs_with(other, rest_here):
                continue
            their = sorted((t2 for (n, t2) in self.member if n == other), key=lambda t2: self.turn(t2, name))
            for t2 in their:
                k2 = self.member[(other, t2)]
                if (name, t2) in self.member or name not in self.candidate_sets[(t2, k2)]:
                    continue
                rest_there = [n for n in self.team(t2) if n != other]
                if self.pairs_with(name, rest_there):
                    continue
                del self.member[(name, t)], self.member[(other, t2)]
                self.place((t, k), other)
                self.place((t2, k2), name)
                return

    def teams(self) -> dict[str, tuple[str, ...]]:
        return {task.id: tuple(self.holder[(t, k)] for k in range(len(task.slots)))
                for t, task in enumerate(self.tasks)}


def _binding_for(task: TaskSpec, candidates: Sequence[list[str]]) -> str | None:
    """None if the task's slots can be filled by distinct officers, else the obstacle (Hall violator)."""
    match: dict[str, int] = {}

    def try_slot(k: int, seen: set[str]) -> bool:
        for name in candidates[k]:
            if name in seen:
                continue
            seen.add(name)
            if name not in match or try_slot(match[name], seen):
                match[name] = k
                return True
        return False

    for k in range(len(task.slots)):
        seen: set[str] = set()
        if try_slot(k, seen):
            continue
        # The slots reachable from k by alternating paths, and the officers they can use, are a
        # Hall violator: more slots than officers.
        slots = {k} | {match[name] for name in seen if name in match}
        officers = sorted(set().union(*(candidates[s] for s in slots)))
        needs = "、".join(describe_slot(task.slots[s]) for s in sorted(slots))
        if not officers:
            return (f"任务 {task.id} 需要{needs}，但没有在岗、执法证有效至截止日期且无需回避的人员")
        return (f"任务 {task.id} 需要 {len(slots)} 名不同的人员（{needs}），"
                f"但符合条件的只有 {len(officers)} 名：{'、'.join(officers)}")
    return None


def assign(problem: AssignmentProblem, seed: bytes) -> AssignmentResult:
    """Draw every task's team from ``seed``; or say which constraint makes that impossible."""
    _check_ids(problem)
    pool = _Pool(problem, seed)
    binding = []
    for t, task in enumerate(pool.tasks):
        if len(task.slots) < problem.min_officers:
            binding.append(f"任务 {task.id} 只有 {len(task.slots)} 个岗位，"
                           f"少于每组至少 {problem.min_officers} 名执法人员")
            continue
        obstacle = _binding_for(task, [pool.candidates[(t, k)] for k in range(len(task.slots))])
        if obstacle:
            binding.append(obstacle)
    if binding:
        return AssignmentResult(teams={}, binding=tuple(binding))
    officers = {name for names in pool.candidates.values() for name in names}
    if not pool.slots:
        return AssignmentResult(teams={}, load_cap=0)
    cap = -(-len(pool.slots) // len(officers))
    pool.greedy(cap)
    while len(pool.holder) < len(pool.slots):
        if not pool.augment(cap):
            cap += 1
    pool.level()
    pool.separate_recent_pairs()
    return AssignmentResult(teams=pool.teams(), load_cap=cap)


def _check_ids(problem: AssignmentProblem) -> None:
    for kind, ids in (("task", [t.id for t in problem.tasks]), ("inspector", [i.id for i in problem.inspectors])):
        duplicates = sorted(x for x, n in Counter(ids).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate {kind} ids: {', '.join(duplicates)}")


def check(problem: AssignmentProblem, result: AssignmentResult) -> list[str]:
    """Every hard constraint, re-checked; an empty list means the teams are lawful."""
    problems: list[str] = []
    if not result.feasible:
        return problems
    inspectors = {i.id: i for i in problem.inspectors}
    tasks = {t.id: t for t in problem.tasks}
    for task_id in sorted(set(result.teams) ^ set(tasks)):
        problems.append(f"task {task_id}: {'no team' if task_id in tasks else 'not in the problem'}")
    for task_id, team in sorted(result.teams.items()):
        task = tasks.get(task_id)
        if task is None:
            continue
        if len(team) != len(task.slots):
            problems.append(f"task {task_id}: {len(team)} members for {len(task.slots)} slots")
        if len(set(team)) != len(team):
            problems.append(f"task {task_id}: an inspector appears twice in the team")
        if len(team) < problem.min_officers:
            problems.append(f"task {task_id}: fewer than {problem.min_officers} officers")
        for slot, name in zip(task.slots, team, strict=False):
            inspector = inspectors.get(name)
            if inspector is None:
                problems.append(f"task {task_id}: {name} is not in the pool")
            elif not eligible(inspector, slot, task, problem.valid_through):
                problems.append(f"task {task_id}: {name} may not fill the slot for {describe_slot(slot)}"
                                f" (status, certificate, recusal, department or specialty)")
    return problems


def substitute(problem: AssignmentProblem, result: AssignmentResult, seed: bytes, task_id: str,
               inspector_id: str, reason: str = "") -> AssignmentResult:
    """Replace an officer who became unavailable after the draw by the next eligible one by ticket.

    The rule is fixed in advance: candidates for the vacated slot are ordered by the substitution ticket
    ``ticket(seed, "substitute", task, candidate)``; officers already in the team and every officer
    substituted out earlier are skipped. No discretion is left to anyone.
    """
    team = list(result.teams.get(task_id, ()))
    if inspector_id not in team:
        raise ValueError(f"{inspector_id} is not in the team of task {task_id}")
    task = next(t for t in problem.tasks if t.id == task_id)
    unavailable = {s["out"] for s in result.substitutions} | {inspector_id}
    k = team.index(inspector_id)
    candidates = sorted(
        (i for i in problem.inspectors
         if i.id not in team and i.id not in unavailable and eligible(i, task.slots[k], task, problem.valid_through)),
        key=lambda i: (ticket(seed, "substitute", task_id, i.id), i.id),
    )
    if not candidates:
        raise ValueError(f"任务 {task_id}：没有可替换 {inspector_id} 的{describe_slot(task.slots[k])}")
    team[k] = candidates[0].id
    record = {"task": task_id, "slot": k, "out": inspector_id, "in": candidates[0].id, "reason": reason}
    return replace(result, teams={**result.teams, task_id: tuple(team)},
                   substitutions=(*result.substitutions, record))


def verify_section(section: Mapping[str, Any]) -> list[str]:
    """Re-run the assignment of a manifest section and compare; apply its substitutions by the rule."""
    problem = AssignmentProblem.from_json(section["problem"])
    seed = bytes.fromhex(section["seed"])
    claimed = AssignmentResult.from_json(section["result"])
    expected = assign(problem, seed)
    for record in claimed.substitutions:
        try:
            expected = substitute(problem, expected, seed, record["task"], record["out"], record.get("reason", ""))
        except ValueError as error:
            return [f"substitution {record}: {error}"]
    differences = []
    if expected.binding != claimed.binding:
        differences.append(f"binding constraints differ: expected {list(expected.binding)}")
    for task_id in sorted(set(expected.teams) | set(claimed.teams)):
        want, got = expected.teams.get(task_id), claimed.teams.get(task_id)
        if want != got:
            differences.append(f"task {task_id}: team {list(got or ())} ≠ re-drawn {list(want or ())}")
    if [dict(s) for s in expected.substitutions] != [dict(s) for s in claimed.substitutions]:
        differences.append("substitutions differ from the fixed rule")
    differences += check(problem, claimed)
    return differences
