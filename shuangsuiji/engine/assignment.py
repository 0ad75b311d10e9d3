"""Inspector assignment: the second random draw of "双随机" (DESIGN §4, docs/assignment-spec.md).

After the targets are drawn, every task (one visit to one target) receives a team from the
jurisdiction's inspector pool, decided by the draw's seed alone, so that anyone can re-run it with
``tools/verify_assignment.py`` and nothing but Python's standard library.

A task's requirement is a list of *slots*, each filled by a different person:

* one officer of each department of a joint task (内部联合抽查: "one officer from each"),
* one officer holding each specialty the task's check items need,
* "any officer" slots until the team has the policy's minimum of certified officers (≥ 2),
* one outside expert per expert specialty the plan invites; experts join beyond the officers and
  never fill an officer slot (指导意见 (十)).

Officers must be active, hold a 执法证 valid through the task's deadline and not be recused from the
target; nobody takes more than ``max_load`` tasks in one draw. Those are the hard constraints, and the
draw finds teams whenever they exist: filling slots is a maximum flow (source → inspector, capacity
``max_load`` → (inspector, task), capacity 1 → slot → sink), solved by a greedy pass in ticket order
completed with breadth-first augmenting paths. When no assignment exists the minimum cut names the
binding constraint (``Binding``), independently of the seed.

Two soft goals are then pursued by local moves that never break a hard constraint: loads as even as
the constraints allow (inspectors eligible for the same slots end within one task of each other),
then as few pairs as possible who inspected together in the last two quarters.

Every choice among equals is decided by a ticket of Rivest's consistent sampling, computed from the
draw seed with its own domain, so the order can be checked with the ``consistent-sampler`` package.
No floating point is involved anywhere.
"""

import functools
import hashlib
import itertools
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import accumulate, chain, islice, repeat
from operator import attrgetter, eq, itemgetter, lt
from typing import Any, Literal, NamedTuple

from shuangsuiji.engine import tickets

ALGORITHM = "shuangsuiji-assignment/1"
SEED_DOMAIN = "shuangsuiji-assignment/1:"
"""The assignment's ticket seed is this prefix followed by the draw seed in lowercase hex."""

Status = Literal["active", "on_leave", "left"]
STATUSES: tuple[Status, ...] = ("active", "on_leave", "left")
Role = Literal["department", "specialty", "officer", "expert"]
ROLES: tuple[Role, ...] = ("department", "specialty", "officer", "expert")
MIN_TEAM = 2
"""行政处罚法 第四十二条: never fewer than two officers, whatever a policy file says."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only: \d takes "２０２１" too
_HEX_SEED = re.compile(r"^[0-9a-f]{64}$")
_LISTED = 10
"""How many ids a message spells out before it says "等 N 名"."""


class AssignmentError(ValueError):
    """A malformed problem, result or request; ``zh`` is the message for the bureau's pages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


# --- the problem ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspector:
    """An entry of the inspector pool (检查人员名录库), keyed by its 执法证 number."""

    id: str
    department: str
    specialties: tuple[str, ...] = ()
    certificate_expiry: date | None = None
    """Last day the 执法证 is valid; None when the person holds none (outside experts, usually)."""
    status: Status = "active"
    expert: bool = False
    """An outside expert (检测机构、科研院所、专家学者): joins beyond the officers, never counts as one."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "specialties", tuple(sorted(set(self.specialties))))


@dataclass(frozen=True)
class Task:
    """One visit to one target (its credit code is the id) and what its team must contain."""

    id: str
    deadline: date
    team_size: int = MIN_TEAM
    """Certified officers the team needs at least (the policy's ``inspection_team.min_officers``)."""
    departments: tuple[str, ...] = ()
    """Departments of a joint task: one officer from each."""
    specialties: tuple[str, ...] = ()
    """Specialties the check items need: one officer holding each."""
    expert_specialties: tuple[str, ...] = ()
    """Outside experts the plan invites, one per entry, each holding that specialty."""
    recusals: tuple[str, ...] = ()
    """Inspector ids who must not inspect this target (回避)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "departments", tuple(sorted(set(self.departments))))
        object.__setattr__(self, "specialties", tuple(sorted(set(self.specialties))))
        object.__setattr__(self, "expert_specialties", tuple(sorted(self.expert_specialties)))
        object.__setattr__(self, "recusals", tuple(sorted(set(self.recusals))))


def _canonical_task(id: str, deadline: date, team_size: int, departments: tuple[str, ...],
                    specialties: tuple[str, ...], expert_specialties: tuple[str, ...],
                    recusals: tuple[str, ...]) -> Task:
    """A ``Task`` from fields already in the form ``__post_init__`` gives them (sorted, departments,
    specialties and recusals without duplicates), without normalising them again: a draw's manifest writes
    its tasks in that form from inputs it has read strictly, and a national quarter has 190,000 of them."""
    task = object.__new__(Task)
    # item by item: a quarter less time than update(**fields), which first builds a dict of them
    fields = task.__dict__
    fields["id"] = id
    fields["deadline"] = deadline
    fields["team_size"] = team_size
    fields["departments"] = departments
    fields["specialties"] = specialties
    fields["expert_specialties"] = expert_specialties
    fields["recusals"] = recusals
    return task


class Slot(NamedTuple):
    """One place in a team: its role and what the role requires (a department, a specialty or "")."""

    role: Role
    requirement: str


def task_slots(task: Task) -> tuple[Slot, ...]:
    """The task's places, in the canonical order of the specification (§3)."""
    slots = [Slot("department", d) for d in task.departments]
    slots += [Slot("specialty", s) for s in task.specialties]
    slots += [Slot("officer", "")] * max(0, task.team_size - len(slots))
    slots += [Slot("expert", s) for s in task.expert_specialties]
    return tuple(slots)


@dataclass(frozen=True)
class Problem:
    """Everything the assignment depends on, frozen and hashed with the draw's inputs."""

    draw_date: date
    tasks: tuple[Task, ...]
    inspectors: tuple[Inspector, ...]
    max_load: int
    """The most tasks one person may receive in this draw."""
    recent_pairs: tuple[tuple[str, str], ...] = ()
    """Pairs of inspector ids who inspected together in the last two quarters."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(sorted(self.tasks, key=lambda t: t.id)))
        object.__setattr__(self, "inspectors", tuple(sorted(self.inspectors, key=lambda i: i.id)))
        pairs = set()
        for pair in self.recent_pairs:
            a, b = pair
            if a == b:
                raise AssignmentError(f"近期同组记录中 {a} 与自己成对", f"recent pair of {a} with itself")
            pairs.add((min(a, b), max(a, b)))
        object.__setattr__(self, "recent_pairs", tuple(sorted(pairs)))
        _validate(self)

    def to_json(self) -> dict[str, Any]:
        """The canonical plain-data form: sorted, strings and integers only."""
        return {
            "draw_date": self.draw_date.isoformat(),
            "max_load": self.max_load,
            "tasks": [
                {
                    "id": t.id,
                    "deadline": t.deadline.isoformat(),
                    "team_size": t.team_size,
                    "departments": list(t.departments),
                    "specialties": list(t.specialties),
                    "expert_specialties": list(t.expert_specialties),
                    "recusals": list(t.recusals),
                }
                for t in self.tasks
            ],
            "inspectors": [
                {
                    "id": i.id,
                    "department": i.department,
                    "specialties": list(i.specialties),
                    "certificate_expiry": i.certificate_expiry.isoformat() if i.certificate_expiry else "",
                    "status": i.status,
                    "expert": int(i.expert),
                }
                for i in self.inspectors
            ],
            "recent_pairs": [list(pair) for pair in self.recent_pairs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Problem":
        """Read the canonical form strictly: unknown or missing keys and wrong types are errors."""
        _keys(data, {"draw_date", "max_load", "tasks", "inspectors", "recent_pairs"}, "problem")
        tasks = []
        for n, t in enumerate(_list(data["tasks"], "tasks")):
            where = f"tasks[{n}]"
            _keys(t, {"id", "deadline", "team_size", "departments", "specialties", "expert_specialties",
                      "recusals"}, where)
            tasks.append(Task(
                id=_str(t["id"], f"{where}.id"),
                deadline=_date(t["deadline"], f"{where}.deadline"),
                team_size=_int(t["team_size"], f"{where}.team_size"),
                departments=_strs(t["departments"], f"{where}.departments"),
                specialties=_strs(t["specialties"], f"{where}.specialties"),
                expert_specialties=_strs(t["expert_specialties"], f"{where}.expert_specialties"),
                recusals=_strs(t["recusals"], f"{where}.recusals"),
            ))
        entries = _list(data["inspectors"], "inspectors")
        inspectors = _plain_inspectors(entries)
        if inspectors is None:
            inspectors = []
            for n, i in enumerate(entries):
                # the common case read without writing where each field is; anything amiss is read again below
                inspector = _plain_inspector(i)
                if inspector is not None:
                    inspectors.append(inspector)
                    continue
                where = f"inspectors[{n}]"
                _keys(i, {"id", "department", "specialties", "certificate_expiry", "status", "expert"}, where)
                expiry = _str(i["certificate_expiry"], f"{where}.certificate_expiry")
                status = _str(i["status"], f"{where}.status")
                expert = _int(i["expert"], f"{where}.expert")
                if expert not in (0, 1):
                    raise AssignmentError(f"{where}.expert 应为 0 或 1", f"{where}.expert must be 0 or 1")
                inspectors.append(Inspector(
                    id=_str(i["id"], f"{where}.id"),
                    department=_str(i["department"], f"{where}.department"),
                    specialties=_strs(i["specialties"], f"{where}.specialties"),
                    certificate_expiry=_date(expiry, f"{where}.certificate_expiry") if expiry else None,
                    status=status,  # type: ignore[arg-type]  # checked by _validate
                    expert=bool(expert),
                ))
        pairs = []
        for n, pair in enumerate(_list(data["recent_pairs"], "recent_pairs")):
            members = _strs(pair, f"recent_pairs[{n}]")
            if len(members) != 2:
                raise AssignmentError(f"recent_pairs[{n}] 应为两人", f"recent_pairs[{n}] must hold two ids")
            pairs.append((members[0], members[1]))
        return cls(
            draw_date=_date(data["draw_date"], "draw_date"),
            tasks=tuple(tasks),
            inspectors=tuple(inspectors),
            max_load=_int(data["max_load"], "max_load"),
            recent_pairs=tuple(pairs),
        )


def _with_tasks(problem: Problem, tasks: tuple[Task, ...]) -> Problem:
    """``replace(problem, tasks=tasks)``: a draw's tasks (190,000 in a national quarter) are checked as whole
    lists; only tasks that fail a check (or are not in id order) go through ``Problem`` to be refused in words."""
    ids = list(map(_ID, tasks))
    try:
        fine = (all(map(lt, ids, islice(ids, 1, None)))  # in id order, no id twice
                and "" not in ids and "/" not in "".join(ids)
                and min(map(_TEAM_SIZE, tasks), default=MIN_TEAM) >= MIN_TEAM
                and min(map(_DEADLINE, tasks), default=problem.draw_date) >= problem.draw_date)
    except TypeError:  # not all strings, integers and dates: Problem names the fault
        fine = False
    if not fine or not set(map(type, ids)) <= {str}:
        return replace(problem, tasks=tasks)
    # the inspectors and recent pairs are the problem's own, already sorted and checked
    made = object.__new__(Problem)
    vars(made).update(vars(problem), tasks=tasks)
    return made


_ID, _TEAM_SIZE, _DEADLINE = attrgetter("id"), attrgetter("team_size"), attrgetter("deadline")
_DEPARTMENTS, _SPECIALTIES = attrgetter("departments"), attrgetter("specialties")
_EXPERT_SPECIALTIES, _RECUSALS = attrgetter("expert_specialties"), attrgetter("recusals")


_INSPECTOR_KEYS = frozenset({"id", "department", "specialties", "certificate_expiry", "status", "expert"})
_INSPECTOR_COLUMNS = itemgetter("id", "department", "specialties", "certificate_expiry", "status", "expert")


def _plain_inspectors(entries: list[Any]) -> list[Inspector] | None:
    """The inspector entries, when every one passes every check of ``Problem.from_json`` (``_plain_inspector``'s,
    with exact types), checked column by column; None when any does not: ``from_json`` then reads them one by
    one to name the fault. A national quarter reads some fifty thousand, sixteen to a plan."""
    if not entries:
        return []
    if set(map(type, entries)) != {dict} or not all(map(eq, map(dict.keys, entries), repeat(_INSPECTOR_KEYS))):
        return None
    ids, departments, specialties, expiries, statuses, experts = zip(*map(_INSPECTOR_COLUMNS, entries), strict=True)
    if (not set(map(type, chain(ids, departments, expiries, statuses))) <= {str}
            or not set(map(type, specialties)) <= {list}
            or not set(map(type, chain.from_iterable(specialties))) <= {str}
            or not set(map(type, experts)) <= {int} or not set(experts) <= {0, 1}):
        return None
    days: dict[str, date | None] = {"": None}
    for expiry in set(expiries) - {""}:  # a pool's certificates expire on a few days
        if not _DATE.fullmatch(expiry):
            return None
        try:
            days[expiry] = date.fromisoformat(expiry)
        except ValueError:
            return None
    return list(map(Inspector, ids, departments, map(tuple, specialties), map(days.__getitem__, expiries),
                    statuses, map(bool, experts)))


def _plain_inspector(data: Any) -> Inspector | None:
    """An inspector entry that passes every check of ``Problem.from_json`` (a dict of exactly its keys, strings,
    a list of strings, an empty or valid YYYY-MM-DD expiry, an integer 0 or 1), read without composing the
    message of each check; None for any other entry, which ``from_json`` reads field by field to name the fault.
    A national quarter reads some fifty thousand."""
    if type(data) is not dict or data.keys() != _INSPECTOR_KEYS:
        return None
    id, department, specialties = data["id"], data["department"], data["specialties"]
    expiry, status, expert = data["certificate_expiry"], data["status"], data["expert"]
    if not (isinstance(id, str) and isinstance(department, str) and isinstance(expiry, str)
            and isinstance(status, str) and type(expert) is int and expert in (0, 1)
            and isinstance(specialties, list) and all(isinstance(s, str) for s in specialties)):
        return None
    certificate = None
    if expiry:
        if not _DATE.fullmatch(expiry):
            return None
        try:
            certificate = date.fromisoformat(expiry)
        except ValueError:
            return None
    return Inspector(id=id, department=department, specialties=tuple(specialties), certificate_expiry=certificate,
                     status=status, expert=bool(expert))  # type: ignore[arg-type]  # status checked by _validate


def _validate(problem: Problem) -> None:
    if problem.max_load < 1:
        raise AssignmentError("每人任务上限 max_load 至少为 1", "max_load must be at least 1")
    seen: set[str] = set()
    for task in problem.tasks:
        if not task.id or "/" in task.id:
            raise AssignmentError(f"任务编号 {task.id!r} 不能为空或含“/”",
                                  f"task id {task.id!r} must be non-empty and free of '/'")
        if task.id in seen:
            raise AssignmentError(f"任务 {task.id} 重复", f"duplicate task {task.id}")
        seen.add(task.id)
        if task.team_size < MIN_TEAM:
            raise AssignmentError(f"任务 {task.id} 的执法人员不得少于 {MIN_TEAM} 名",
                                  f"task {task.id}: team_size must be at least {MIN_TEAM}")
        if task.deadline < problem.draw_date:
            raise AssignmentError(f"任务 {task.id} 的截止日早于抽取日",
                                  f"task {task.id}: deadline before the draw date")
    seen = set()
    for inspector in problem.inspectors:
        if not inspector.id:
            raise AssignmentError("执法证号不能为空", "inspector id must be non-empty")
        if inspector.id in seen:
            raise AssignmentError(f"执法人员 {inspector.id} 重复", f"duplicate inspector {inspector.id}")
        seen.add(inspector.id)
        if inspector.status not in STATUSES:
            raise AssignmentError(f"执法人员 {inspector.id} 的状态 {inspector.status!r} 无效",
                                  f"inspector {inspector.id}: unknown status {inspector.status!r}")


def _keys(data: Any, keys: set[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise AssignmentError(f"{where} 应为对象", f"{where} must be an object")
    if set(data) != keys:
        extra, missing = sorted(set(data) - keys), sorted(keys - set(data))
        raise AssignmentError(f"{where} 的字段不符：多出 {extra}，缺少 {missing}",
                              f"{where}: unexpected keys {extra}, missing keys {missing}")


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise AssignmentError(f"{where} 应为数组", f"{where} must be a list")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise AssignmentError(f"{where} 应为字符串", f"{where} must be a string")
    return value


def _strs(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_str(v, f"{where}[{n}]") for n, v in enumerate(_list(value, where)))


def _int(value: Any, where: str) -> int:
    # bool is an int in Python but not in the canonical form
    if not isinstance(value, int) or isinstance(value, bool):
        raise AssignmentError(f"{where} 应为整数", f"{where} must be an integer")
    return value


def _date(value: Any, where: str) -> date:
    text = _str(value, where)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise AssignmentError(f"{where} 应为 YYYY-MM-DD 日期", f"{where} must be a YYYY-MM-DD date") from None


# --- eligibility ----------------------------------------------------------------------------------


def ineligibility(inspector: Inspector, task: Task, slot: Slot) -> str | None:
    """Why ``inspector`` may not fill ``slot`` of ``task``, as a reason code; None if he may.

    Codes, in the order they are tested: ``status``, ``recused``, ``expert`` (an outside expert in an
    officer slot), ``not_expert`` (an officer in an expert slot), ``certificate`` (none, or expiring
    before the deadline), ``department``, ``specialty``.
    """
    if inspector.status != "active":
        return "status"
    if inspector.id in task.recusals:
        return "recused"
    if slot.role == "expert":
        if not inspector.expert:
            return "not_expert"
        # an expert needs no 执法证; a pool membership with an end date must still cover the task
        if inspector.certificate_expiry is not None and inspector.certificate_expiry < task.deadline:
            return "certificate"
    else:
        if inspector.expert:
            return "expert"
        if inspector.certificate_expiry is None or inspector.certificate_expiry < task.deadline:
            return "certificate"
    if slot.role == "department" and inspector.department != slot.requirement:
        return "department"
    if slot.role in ("specialty", "expert") and slot.requirement not in inspector.specialties:
        return "specialty"
    return None


def _candidates(people: Sequence[Inspector], deadline: date, slot: Slot) -> list[int]:
    """``[n for n, p in enumerate(people) if ineligibility(p, task, slot) is None]`` for a task of that deadline
    without recusals (ineligibility reads nothing else of a task), its tests written out once per slot rather
    than called once per person: a national quarter asks for some 140,000 of them."""
    role, requirement = slot
    if role == "expert":
        return [n for n, p in enumerate(people)
                if p.status == "active" and p.expert
                and not (p.certificate_expiry is not None and p.certificate_expiry < deadline)
                and requirement in p.specialties]
    fit = [n for n, p in enumerate(people)
           if p.status == "active" and not p.expert
           and not (p.certificate_expiry is None or p.certificate_expiry < deadline)]
    if role == "department":
        return [n for n in fit if people[n].department == requirement]
    if role == "specialty":
        return [n for n in fit if requirement in people[n].specialties]
    return fit


# --- tickets --------------------------------------------------------------------------------------


def seed_hex(seed: bytes | str) -> str:
    """The draw seed as 64 lowercase hex digits; accepts the 32 raw bytes or their hex."""
    if isinstance(seed, bytes):
        if len(seed) != 32:
            raise AssignmentError("种子应为 32 字节", "the seed must be 32 bytes")
        return seed.hex()
    text = seed.lower()
    if not _HEX_SEED.match(text):
        raise AssignmentError("种子应为 64 位十六进制数", "the seed must be 64 hex digits")
    return text


def ticket_seed(seed: bytes | str) -> str:
    """The seed string of the assignment's tickets: its own domain, so they are independent of the
    target tickets drawn from the same seed."""
    return SEED_DOMAIN + seed_hex(seed)


def ticket(seed: bytes | str, task_id: str, inspector_id: str) -> str:
    """Rivest's ``first_fraction(task_id + "/" + inspector_id, ticket_seed(seed))``: a decimal string."""
    prefix = hashlib.sha256(ticket_seed(seed).encode("utf-8")).hexdigest()
    return _fraction(prefix, f"{task_id}/{inspector_id}")


def _fraction(prefix: str, ticket_id: str) -> str:
    return "0." + _digits(prefix, ticket_id)


def _digits(prefix: str, ticket_id: str) -> str:
    """The ticket's decimal digits after "0.": the SHA-256 value in decimal, at least 64 digits, reversed
    (the low-order digits come first because the high-order ones are biased)."""
    digest = hashlib.sha256((prefix + ticket_id).encode("utf-8")).digest()
    return _ticket_digits(int.from_bytes(digest, "big"))


def _ticket_digits(value: int) -> str:
    return str(value).zfill(64)[::-1]


_HEAD_MODULUS = 10_000
_HEADS = [int(f"{k:04d}"[::-1]) for k in range(_HEAD_MODULUS)]
"""The first four digits of a ticket whose value ends in k (decimal), as a number: equal-length digit
strings compare as their numbers do."""


# --- the result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    inspector: str
    role: Role
    requirement: str


@dataclass(frozen=True)
class Team:
    task: str
    members: tuple[Member, ...]
    """In the order of the task's slots."""

    @property
    def inspectors(self) -> tuple[str, ...]:
        return tuple(m.inspector for m in self.members)


@dataclass(frozen=True)
class Substitution:
    """A member replaced after the draw by the fixed rule (specification §7)."""

    task: str
    slot: int
    out: str
    into: str


@dataclass(frozen=True)
class Binding:
    """A constraint that makes every assignment impossible: a set of places that cannot all be filled."""

    kind: Literal["no_candidate", "team", "department", "specialty", "capacity"]
    tasks: tuple[str, ...]
    inspectors: tuple[str, ...]
    """Everyone eligible for at least one of these places."""
    needed: int
    """Places to fill."""
    available: int
    """The most of them that can be filled (the capacity of the minimum cut)."""
    zh: str
    en: str


@dataclass(frozen=True)
class Assignment:
    """The outcome of a draw: a team per task, or the binding constraints; later substitutions."""

    teams: tuple[Team, ...] = ()
    bindings: tuple[Binding, ...] = ()
    load_cap: int = 0
    """The most tasks anyone received in the draw: the smallest cap that allowed an assignment."""
    substitutions: tuple[Substitution, ...] = ()
    algorithm: str = ALGORITHM

    @property
    def feasible(self) -> bool:
        return not self.bindings

    def team(self, task_id: str) -> Team:
        for team in self.teams:
            if team.task == task_id:
                return team
        raise AssignmentError(f"没有任务 {task_id} 的检查组", f"no team for task {task_id}")

    def loads(self) -> dict[str, int]:
        """Tasks per inspector (only those with at least one)."""
        loads: dict[str, int] = {}
        for team in self.teams:
            for name in team.inspectors:
                loads[name] = loads.get(name, 0) + 1
        return loads

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "teams": [
                {"task": t.task,
                 "members": [{"inspector": m.inspector, "role": m.role, "requirement": m.requirement}
                             for m in t.members]}
                for t in self.teams
            ],
            "bindings": [
                {"kind": b.kind, "tasks": list(b.tasks), "inspectors": list(b.inspectors), "needed": b.needed,
                 "available": b.available, "zh": b.zh, "en": b.en}
                for b in self.bindings
            ],
            "load_cap": self.load_cap,
            "substitutions": [{"task": s.task, "slot": s.slot, "out": s.out, "in": s.into}
                              for s in self.substitutions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Assignment":
        _keys(data, {"algorithm", "teams", "bindings", "load_cap", "substitutions"}, "result")
        teams = []
        for n, t in enumerate(_list(data["teams"], "teams")):
            _keys(t, {"task", "members"}, f"teams[{n}]")
            members = []
            for k, m in enumerate(_list(t["members"], f"teams[{n}].members")):
                where = f"teams[{n}].members[{k}]"
                _keys(m, {"inspector", "role", "requirement"}, where)
                role = _str(m["role"], f"{where}.role")
                if role not in ROLES:
                    raise AssignmentError(f"{where}.role 无效", f"{where}.role: unknown role {role!r}")
                members.append(Member(_str(m["inspector"], f"{where}.inspector"), role,  # type: ignore[arg-type]
                                      _str(m["requirement"], f"{where}.requirement")))
            teams.append(Team(_str(t["task"], f"teams[{n}].task"), tuple(members)))
        bindings = []
        for n, b in enumerate(_list(data["bindings"], "bindings")):
            where = f"bindings[{n}]"
            _keys(b, {"kind", "tasks", "inspectors", "needed", "available", "zh", "en"}, where)
            bindings.append(Binding(
                _str(b["kind"], f"{where}.kind"),  # type: ignore[arg-type]
                _strs(b["tasks"], f"{where}.tasks"), _strs(b["inspectors"], f"{where}.inspectors"),
                _int(b["needed"], f"{where}.needed"), _int(b["available"], f"{where}.available"),
                _str(b["zh"], f"{where}.zh"), _str(b["en"], f"{where}.en"),
            ))
        substitutions = []
        for n, s in enumerate(_list(data["substitutions"], "substitutions")):
            where = f"substitutions[{n}]"
            _keys(s, {"task", "slot", "out", "in"}, where)
            substitutions.append(Substitution(_str(s["task"], f"{where}.task"), _int(s["slot"], f"{where}.slot"),
                                              _str(s["out"], f"{where}.out"), _str(s["in"], f"{where}.in")))
        return cls(tuple(teams), tuple(bindings), _int(data["load_cap"], "load_cap"), tuple(substitutions),
                   _str(data["algorithm"], "algorithm"))


# --- the solver -----------------------------------------------------------------------------------


class _Draw:
    """The working state of one draw. Inspectors and tasks are numbered in id order, and slots in
    (task, slot) order, so that every iteration below follows the specification's canonical order."""

    def __init__(self, problem: Problem, seed: bytes | str) -> None:
        self.people = problem.inspectors
        self.tasks = problem.tasks
        self.max_load = problem.max_load
        self.cap = problem.max_load
        """The load cap in force: raised step by step by ``fill`` up to ``max_load``."""
        prefix = hashlib.sha256(ticket_seed(seed).encode("utf-8")).hexdigest()
        self.prefix_hex = prefix if tickets._native is not None else None
        """What the C accelerator hashes tickets from; None when the draw was made on the pure path, which
        decides the same."""
        # A ticket hashes prefix ‖ task id ‖ "/" ‖ person id. The 64 hex digits of the prefix are exactly one
        # SHA-256 block, so a copy of this state has already done that work; a copy per task adds the task
        # id, and a copy of that per candidate only hashes the person's id.
        self.ticket_base = hashlib.sha256(prefix.encode("ascii"))
        self.person_bytes = [p.id.encode("utf-8") for p in self.people]
        self.known: list[dict[int, int] | None] = [None] * len(self.tasks)
        """Per task: the ticket values of the candidates hashed so far, by person number."""
        index = {p.id: n for n, p in enumerate(self.people)}
        self.partners: list[set[int]] = [set() for _ in self.people]
        for a, b in problem.recent_pairs:
            if a in index and b in index:
                self.partners[index[a]].add(index[b])
                self.partners[index[b]].add(index[a])

        # Candidates of a slot are shared between tasks with the same deadline: most of a quarter's
        # tasks have one, so the pool is scanned once per requirement rather than once per slot; and
        # tasks that need the same (most of a plan's) share their slots and lists, so the slots of all
        # tasks are laid out by whole-list operations, and only a task with recusals is visited alone.
        shared: dict[tuple[Slot, date], list[int]] = {}
        tasks = self.tasks
        native = tickets._native
        if native is not None:
            # the same grouping and layout in C, which reads each task's fields once and shares what the
            # Python below shares: a national quarter lays out 380,000 slots. Tasks are numbered by kind (the
            # first of each kind listed in firsts), task_ids are the tasks' ids, recusing the tasks with recusals.
            kind_of, firsts, self.task_ids, recusing = native.task_kinds(tasks)
        else:
            task_kinds = list(zip(map(_TEAM_SIZE, tasks), map(_DEPARTMENTS, tasks), map(_SPECIALTIES, tasks),
                                  map(_EXPERT_SPECIALTIES, tasks), map(_DEADLINE, tasks), strict=True))
            numbers: dict[tuple[Any, ...], int] = {}
            firsts = []
            for t, kind in enumerate(task_kinds):
                if kind not in numbers:
                    numbers[kind] = len(firsts)
                    firsts.append(t)
            kind_of = list(map(numbers.__getitem__, task_kinds))
            self.task_ids = list(map(_ID, tasks))
            recusing = [t for t, recusals in enumerate(map(_RECUSALS, tasks)) if recusals]
        kind_slots: list[tuple[Slot, ...]] = []
        kind_lists: list[tuple[list[int], ...]] = []
        for t in firsts:  # a task of each kind: any will do
            task = tasks[t]
            slots = task_slots(task)
            lists = []
            for slot in slots:
                key = (slot, task.deadline)
                if key not in shared:
                    shared[key] = _candidates(self.people, task.deadline, slot)
                lists.append(shared[key])
            kind_slots.append(slots)
            kind_lists.append(tuple(lists))
        if native is not None:
            self.starts, self.slot_task, self.slot_def, self.eligible = native.lay_out(kind_of, kind_slots,
                                                                                       kind_lists)
        else:
            counts = list(map(len, map(kind_slots.__getitem__, kind_of)))
            self.starts = list(accumulate(counts, initial=0))
            self.slot_task = list(chain.from_iterable(map(repeat, range(len(tasks)), counts)))
            self.slot_def = list(chain.from_iterable(map(kind_slots.__getitem__, kind_of)))
            self.eligible = list(chain.from_iterable(map(kind_lists.__getitem__, kind_of)))
        """The slots of task t are numbered one after the other, from starts[t] to starts[t + 1]; slot g is
        slot_def[g] of task slot_task[g], with the candidates eligible[g] (a list shared between slots)."""
        starts = self.starts
        self.candidate_lists: list[list[int]] = list(shared.values())
        """Every list of ``eligible`` (and a few more): those of tasks with recusals are added below."""
        eligible = self.eligible
        for t in recusing:
            recused = {index[r] for r in tasks[t].recusals if r in index}
            for g in range(starts[t], starts[t + 1]):
                if not recused.isdisjoint(eligible[g]):
                    eligible[g] = [n for n in eligible[g] if n not in recused]
                    self.candidate_lists.append(eligible[g])

        self.filler: list[int] = [-1] * len(self.slot_task)
        self.members: list[dict[int, int]] = [{} for _ in self.tasks]
        """Per task: inspector → the slot he fills."""
        self.held: list[set[int]] = [set() for _ in self.people]
        """Per inspector: the slots he fills."""
        self.load: list[int] = [0] * len(self.people)

    @functools.cached_property
    def eligible_set(self) -> list[set[int]]:
        """``eligible`` as sets, one per distinct list: only the local moves' swaps and the bindings read them,
        which most draws of a quarter never reach."""
        sets: dict[int, set[int]] = {}
        return [sets.get(id(names)) or sets.setdefault(id(names), set(names)) for names in self.eligible]

    # -- primitives --------------------------------------------------------------------------------

    def values(self, t: int, names: Sequence[int]) -> list[int]:
        """The SHA-256 values (digests as integers) of the tickets of inspectors ``names`` for task ``t``,
        each hashed once per draw: the slots of one task share their candidates."""
        known = self.known[t]
        if known is None:
            known = self.known[t] = {}
        missing = [n for n in names if n not in known]
        if missing:
            state = self.ticket_base.copy()
            state.update(f"{self.tasks[t].id}/".encode())
            copy, person_bytes, from_bytes = state.copy, self.person_bytes, int.from_bytes
            for n in missing:
                h = copy()
                h.update(person_bytes[n])
                known[n] = from_bytes(h.digest(), "big")
        return [known[n] for n in names]

    def ticket(self, t: int, n: int) -> str:
        """The digits of the ticket of inspector ``n`` for task ``t`` (same order as the fractions)."""
        return _ticket_digits(self.values(t, (n,))[0])

    def first_by_ticket(self, t: int, names: Sequence[int]) -> int:
        """Of ``names`` (in person order), the one with the smallest ticket for task ``t``, the smaller id
        first among equal tickets. A ticket's first four digits are the value's last four decimal digits
        reversed, found with one small division; the full decimal text is only written for the few that
        share the smallest four."""
        native = tickets._native
        if native is not None and self.prefix_hex is not None:
            # Hashes every candidate again rather than keep ``known``: in C that costs less than a dict.
            try:
                return native.first_by_ticket(self.prefix_hex, self.tasks[t].id, self.person_bytes, names)
            except TypeError:  # names not a list of person numbers: the pure path answers as it always did
                pass
        # ``values`` inlined: this runs for nearly every slot of a quarter (hundreds of thousands)
        known = self.known[t]
        if known is None:
            known = self.known[t] = {}
        values = list(map(known.get, names))
        if None in values:
            state = self.ticket_base.copy()
            state.update(f"{self.tasks[t].id}/".encode())
            copy, person_bytes, from_bytes = state.copy, self.person_bytes, int.from_bytes
            for k, n in enumerate(names):
                if values[k] is None:
                    h = copy()
                    h.update(person_bytes[n])
                    values[k] = known[n] = from_bytes(h.digest(), "big")
        heads = [_HEADS[value % 10_000] for value in values]  # % _HEAD_MODULUS; faster than map(int.__rmod__)
        least = min(heads)
        if heads.count(least) == 1:
            return names[heads.index(least)]
        tied = [k for k, head in enumerate(heads) if head == least]
        digits = [_ticket_digits(values[k]) for k in tied]
        return names[tied[digits.index(min(digits))]]

    def repeats(self, n: int, others: Iterable[int]) -> int:
        partners = self.partners[n]
        return sum(1 for m in others if m in partners) if partners else 0

    def put(self, g: int, n: int) -> None:
        self.filler[g] = n
        self.members[self.slot_task[g]][n] = g
        self.held[n].add(g)

    def take(self, g: int) -> int:
        n = self.filler[g]
        self.filler[g] = -1
        del self.members[self.slot_task[g]][n]
        self.held[n].discard(g)
        return n

    # -- phase 1: a maximum flow -------------------------------------------------------------------

    def fill(self) -> list[int]:
        """Fill every slot under the smallest load cap that allows it; return the slots left empty.

        The cap starts at the average load (slots ÷ people who can fill any) and rises by one while a
        maximum flow leaves slots empty, up to ``max_load``: so nobody carries more tasks than the
        fairest lawful split requires. The slots left empty at ``max_load`` show the binding constraint.
        """
        count = len(self.slot_task)
        # candidate lists are shared between slots: each distinct list is read once (a few lists no slot
        # holds only name people of lists that some slot does: a recused person's list minus him)
        usable = len(set(chain.from_iterable(self.candidate_lists)))
        self.cap = min(self.max_load, -(-count // usable)) if usable else self.max_load
        native = tickets._native if self.prefix_hex is not None else None
        if native is not None:
            pending = native.by_length(self.eligible)
        else:
            pending = sorted(range(count), key=list(map(len, self.eligible)).__getitem__)  # stable: then by g
        while True:
            # What a failed search explored can reach no one with room for the rest of the round
            # (later augmenting paths never enter it), so later searches skip it: that keeps an
            # infeasible pool as fast as a feasible one, and finds the same paths.
            self.dead_slots: set[int] = set()
            self.dead_people: set[int] = set()
            if native is None:
                pending = [g for g in pending if not self.place(g)]
            else:
                # place's greedy choice for slot after slot in one C call, which stops where nobody is free
                # (place would augment there): the augmenting path is searched here, and the pass goes on
                left, k = [], 0
                while k < len(pending):
                    k = native.fill_pass(pending, k, self.eligible, self.slot_task, self.members, self.held,
                                         self.load, self.filler, self.cap, self.partners, self.prefix_hex,
                                         self.task_ids, self.person_bytes)
                    if k < len(pending):
                        if not self.augment(pending[k]):
                            left.append(pending[k])
                        k += 1
                pending = left
            if not pending or self.cap >= self.max_load:
                return pending
            self.cap += 1

    def place(self, g: int) -> bool:
        """Give slot ``g`` the least-loaded free candidate (fewest repeated pairs, then the smallest
        ticket); when nobody is free, reshuffle along an augmenting path."""
        t = self.slot_task[g]
        members = self.members[t]
        load, cap = self.load, self.cap
        native = tickets._native
        if native is not None:
            # the scan below in C: place runs once per slot of the quarter, hundreds of thousands of times
            free = native.least_free(self.eligible[g], load, cap, members)
            if not free:
                return self.augment(g)
        else:
            free = [n for n in self.eligible[g] if load[n] < cap and n not in members]
            if not free:
                return self.augment(g)
            least = min(map(load.__getitem__, free))
            free = [n for n in free if load[n] == least]
        if len(free) > 1 and members:
            partners = self.partners
            hits: dict[int, int] = {}
            for m in members:
                for n in partners[m]:
                    hits[n] = hits.get(n, 0) + 1
            if hits:
                fewest = min(hits.get(n, 0) for n in free)
                free = [n for n in free if hits.get(n, 0) == fewest]
        chosen = self.first_by_ticket(t, free) if len(free) > 1 else free[0]
        self.filler[g] = chosen  # put(g, chosen), inlined
        members[chosen] = g
        self.held[chosen].add(g)
        load[chosen] += 1
        return True

    def augment(self, start: int) -> bool:
        """Breadth-first search for an augmenting path ending at the empty slot ``start``.

        Walking backwards from a slot that needs a person: an eligible inspector outside the team either
        has room (the path ends) or gives up one of his slots, which then needs a person; an eligible
        member of the team moves over from his own slot, which then needs a person.
        """
        needs: dict[int, int] = {start: -1}  # slot → the slot its present holder moves to
        seen: set[int] = set()
        dead_slots, dead_people = self.dead_slots, self.dead_people
        queue = deque([start])
        while queue:
            g = queue.popleft()
            members = self.members[self.slot_task[g]]
            for n in self.eligible[g]:
                if n in members:
                    own = members[n]
                    if own not in needs and own not in dead_slots:
                        needs[own] = g
                        queue.append(own)
                    continue
                if n in seen or n in dead_people:
                    continue
                seen.add(n)
                if self.load[n] < self.cap:
                    self.shift(start, g, n, needs)
                    return True
                for own in sorted(self.held[n]):
                    if own not in needs and own not in dead_slots:
                        needs[own] = g
                        queue.append(own)
        dead_slots.update(needs)
        dead_people.update(seen)
        return False

    def shift(self, start: int, g: int, newcomer: int, needs: Mapping[int, int]) -> None:
        """Apply an augmenting path: the newcomer takes ``g``; each displaced holder moves one step on."""
        chain = [g]
        while chain[-1] != start:
            chain.append(needs[chain[-1]])
        holders = [self.take(h) if self.filler[h] >= 0 else -1 for h in chain]
        self.put(g, newcomer)
        self.load[newcomer] += 1
        for h, holder in zip(chain[1:], holders[:-1], strict=True):
            self.put(h, holder)

    # -- phase 2: balance, then pairs --------------------------------------------------------------

    def improve(self) -> None:
        """Local moves until none helps; each lowers (Σ load², repeated pairs), so this ends."""
        # The lightest load among a slot's candidates bounds what a replacement can gain, so most slots
        # are dismissed without a scan; candidate lists are shared, and so is this bound until a move.
        floors: dict[int, int] = {}
        native = tickets._native
        moved = True
        while moved:
            moved = False
            count = len(self.slot_task)
            g = -1
            while g + 1 < count:
                g += 1
                if native is not None:
                    # the dismissal below for the slots from g on in one C call: the first it does not dismiss
                    g = native.improve_scan(g, self.eligible, self.filler, self.partners, self.load, self.cap)
                    if g >= count:
                        break
                names = self.eligible[g]
                floor = floors.get(id(names))
                if floor is None:
                    load, cap = self.load, self.cap
                    floor = floors[id(names)] = min((load[n] for n in names if load[n] < cap), default=cap)
                a = self.filler[g]
                if not self.partners[a] and floor > self.load[a] - 2:
                    # a holder without recent partners has no pair to break up (swap_one) and gives his place
                    # only to someone two tasks lighter (replace_one): neither move exists, said without calls
                    continue
                if self.replace_one(g, floor) or self.swap_one(g):
                    moved = True
                    floors.clear()

    def replace_one(self, g: int, floor: int) -> bool:
        t, a = self.slot_task[g], self.filler[g]
        members = self.members[t]
        rest = [m for m in members if m != a]
        before = self.repeats(a, rest)
        # A replacement must lower the load sum of squares, or keep it and lower the repeated pairs:
        # that needs someone at least two tasks lighter, or one lighter when a pair can be broken.
        if floor > self.load[a] - (1 if before else 2):
            return False
        best = None
        for n in self.eligible[g]:
            if n in members or self.load[n] >= self.cap:
                continue
            gain = (self.load[n] - self.load[a] + 1, self.repeats(n, rest) - before)
            if gain < (0, 0):
                key = (gain, self.ticket(t, n), n)
                if best is None or key < best:
                    best = key
        if best is None:
            return False
        n = best[2]
        self.take(g)
        self.load[a] -= 1
        self.put(g, n)
        self.load[n] += 1
        return True

    def swap_one(self, g: int) -> bool:
        t, a = self.slot_task[g], self.filler[g]
        members = self.members[t]
        rest = [m for m in members if m != a]
        before = self.repeats(a, rest)
        if not before:
            return False
        best = None
        for n in self.eligible[g]:
            if n in members:
                continue
            here = self.repeats(n, rest) - before
            for g2 in sorted(self.held[n]):
                t2 = self.slot_task[g2]
                there_members = self.members[t2]
                if a in there_members or a not in self.eligible_set[g2]:
                    continue
                there = [m for m in there_members if m != n]
                gain = here + self.repeats(a, there) - self.repeats(n, there)
                if gain < 0:
                    key = (gain, self.ticket(t, n), n, g2)
                    if best is None or key < best:
                        best = key
        if best is None:
            return False
        _, _, n, g2 = best
        self.take(g)
        self.take(g2)
        self.put(g, n)
        self.put(g2, a)
        return True

    # -- outcome -----------------------------------------------------------------------------------

    def teams_json(self) -> list[dict[str, Any]]:
        """``[t.to_json() for t in teams()]`` in ``Assignment.to_json``'s form, without the objects."""
        ids = [p.id for p in self.people]
        filler = self.filler
        native = tickets._native
        if native is not None:
            return native.teams_json(self.task_ids, self.starts, filler, ids, self.slot_def)
        members = [{"inspector": ids[filler[g]], "role": slot.role, "requirement": slot.requirement}
                   for g, slot in enumerate(self.slot_def)]
        # a task's slots are numbered one after the other
        return [{"task": task.id, "members": members[start:end]}
                for task, (start, end) in zip(self.tasks, itertools.pairwise(self.starts), strict=True)]

    def teams(self) -> tuple[Team, ...]:
        return tuple(
            Team(task.id, tuple(Member(self.people[self.filler[g]].id, *self.slot_def[g])
                                for g in range(self.starts[t], self.starts[t + 1])))
            for t, task in enumerate(self.tasks)
        )

    # -- infeasible: the minimum cut ---------------------------------------------------------------

    def bindings(self, unfilled: Sequence[int]) -> tuple[Binding, ...]:
        """The binding constraints, read off the minimum cut of the maximum flow.

        The slots and inspectors from which an empty slot can still be reached in the residual network
        are the sink side of the minimum cut closest to the sink; that set is the same for every
        maximum flow, so the answer does not depend on the seed. Its parts that share no candidate are
        reported separately: each is a Hall violator, more places than the people able to fill them.
        """
        cut_slots = set(unfilled)
        cut_people: set[int] = set()
        queue = deque(unfilled)
        while queue:
            g = queue.popleft()
            members = self.members[self.slot_task[g]]
            for n in self.eligible[g]:
                if n in members:
                    reached = [members[n]]
                elif n in cut_people:
                    continue
                else:
                    cut_people.add(n)
                    reached = sorted(self.held[n])
                for own in reached:
                    if own not in cut_slots:
                        cut_slots.add(own)
                        queue.append(own)

        parent: dict[int, int] = {}  # union-find over slots (g ≥ 0) and people (-1 - n)

        def root(node: int) -> int:
            top = node
            while parent.setdefault(top, top) != top:
                top = parent[top]
            while node != top:
                parent[node], node = top, parent[node]
            return top

        def join(a: int, b: int) -> None:
            parent[root(a)] = root(b)

        by_task: dict[int, list[int]] = {}
        # slots sharing one candidate list share its fully loaded people: join those once per list
        delegate: dict[int, int | None] = {}
        for g in sorted(cut_slots):
            root(g)
            for other in by_task.setdefault(self.slot_task[g], []):
                if self.eligible_set[g] & self.eligible_set[other]:
                    join(g, other)
            by_task[self.slot_task[g]].append(g)
            names = self.eligible[g]
            if id(names) not in delegate:
                stuck = [-1 - n for n in names if n in cut_people]
                for a, b in itertools.pairwise(stuck):
                    join(a, b)
                delegate[id(names)] = stuck[0] if stuck else None
            if delegate[id(names)] is not None:
                join(g, delegate[id(names)])
        parts: dict[int, list[int]] = {}
        for g in sorted(cut_slots):
            parts.setdefault(root(g), []).append(g)
        found = [self.binding(slots, cut_people) for slots in parts.values()]
        return tuple(sorted(found, key=lambda b: (b.tasks, b.kind, b.needed)))

    def binding(self, slots: Sequence[int], cut_people: set[int]) -> Binding:
        tasks = sorted({self.slot_task[g] for g in slots})
        task_ids = tuple(self.tasks[t].id for t in tasks)
        eligible = sorted({n for g in slots for n in self.eligible[g]})
        names = tuple(self.people[n].id for n in eligible)
        full = [self.people[n].id for n in eligible if n in cut_people]
        needed = len(slots)
        available = sum(1 for g in slots if self.filler[g] >= 0)
        kinds = {self.slot_def[g] for g in slots}
        cap = self.cap
        ids, task_list = _listing(names), _listing(task_ids)
        if needed == 1 and not eligible:
            g = slots[0]
            zh, en = _nobody(self.people, self.tasks[self.slot_task[g]], self.slot_def[g])
            return Binding("no_candidate", task_ids, (), 1, 0, zh, en)
        want_zh, want_en = _wanted([self.slot_def[g] for g in slots])
        if len(tasks) == 1 and not full:
            return Binding(
                "team", task_ids, names, needed, available,
                f"任务 {task_ids[0]} 需要 {needed} 名不同人员（{want_zh}），但符合条件的只有 {len(names)} 名"
                f"（{ids[0]}），同一人在检查组中只占一个岗位",
                f"task {task_ids[0]} needs {needed} different people ({want_en}), but only {len(names)} "
                f"qualify ({ids[1]}) and one person fills one place",
            )
        limit_zh = f"每人本次至多 {cap} 项任务"
        limit_en = f"each may take at most {cap} tasks in this draw"
        if len(kinds) == 1:
            (slot,) = kinds
            if slot.role == "department":
                return Binding(
                    "department", task_ids, names, needed, available,
                    f"“{slot.requirement}”部门仅有 {len(names)} 名符合条件的执法人员（{ids[0]}），{limit_zh}，"
                    f"无法满足需要该部门人员的 {len(tasks)} 个联合任务（{task_list[0]}）：需 {needed} 人次，"
                    f"最多 {available} 人次",
                    f"department {slot.requirement} has only {len(names)} qualifying officer(s) ({ids[1]}), "
                    f"{limit_en}; the {len(tasks)} joint tasks that need the department ({task_list[1]}) "
                    f"need {needed}, at most {available} possible",
                )
            if slot.role in ("specialty", "expert"):
                who_zh, who_en = _describe(slot)
                return Binding(
                    "specialty", task_ids, names, needed, available,
                    f"{len(tasks)} 个任务（{task_list[0]}）各需{who_zh}，符合条件的只有 {len(names)} 名"
                    f"（{ids[0]}），{limit_zh}：需 {needed} 人次，最多 {available} 人次",
                    f"{len(tasks)} tasks ({task_list[1]}) each need {who_en}, only {len(names)} qualify "
                    f"({ids[1]}), {limit_en}: {needed} needed, at most {available} possible",
                )
        return Binding(
            "capacity", task_ids, names, needed, available,
            f"{len(tasks)} 个任务（{task_list[0]}）共需 {needed} 个岗位（{want_zh}），能担任这些岗位的 "
            f"{len(names)} 名人员（{ids[0]}）中 {len(full)} 名已满负荷（{limit_zh}），且同一人在检查组中只占"
            f"一个岗位，最多只能担任 {available} 个",
            f"{len(tasks)} tasks ({task_list[1]}) need {needed} places ({want_en}); the {len(names)} people "
            f"who qualify ({ids[1]}) — {len(full)} of them fully loaded ({limit_en}), one place per team — "
            f"can fill at most {available}",
        )


def _listing(ids: Sequence[str]) -> tuple[str, str]:
    """Ids for a message, shortened after ``_LISTED`` of them (the binding keeps them all)."""
    if len(ids) <= _LISTED:
        return "、".join(ids), ", ".join(ids)
    shown = ids[:_LISTED]
    return f"{'、'.join(shown)} 等 {len(ids)} 个", f"{', '.join(shown)} and {len(ids) - _LISTED} more"


def _wanted(slots: Iterable[Slot]) -> tuple[str, str]:
    """What a set of places asks for, counted by requirement: "“水”部门的执法人员 ×2、…"."""
    counts: dict[Slot, int] = {}
    for slot in slots:
        counts[slot] = counts.get(slot, 0) + 1
    return ("、".join(f"{_describe(s)[0]} ×{k}" for s, k in sorted(counts.items())),
            "; ".join(f"{k} × {_describe(s)[1]}" for s, k in sorted(counts.items())))


def _describe(slot: Slot) -> tuple[str, str]:
    if slot.role == "department":
        return f"“{slot.requirement}”部门的执法人员", f"an officer of department {slot.requirement}"
    if slot.role == "specialty":
        return f"具有“{slot.requirement}”专长的执法人员", f"an officer with specialty {slot.requirement}"
    if slot.role == "expert":
        return f"具有“{slot.requirement}”专长的外部专家", f"an outside expert in {slot.requirement}"
    return "持有效执法证的执法人员", "a certified officer"


_REASONS = {
    "status": ("{} 人不在岗", "{} not active"),
    "recused": ("{} 人回避", "{} recused"),
    "expert": ("{} 人为外部专家（不计入执法人员）", "{} outside experts (never counted as officers)"),
    "not_expert": ("{} 人不是外部专家", "{} not outside experts"),
    "certificate": ("{} 人无执法证或执法证有效期不到截止日 {}", "{} without a certificate valid through {}"),
}


def _nobody(people: Sequence[Inspector], task: Task, slot: Slot) -> tuple[str, str]:
    """Why a slot has no candidate at all: who would have matched its requirement, and what stops them."""
    want_zh, want_en = _describe(slot)
    if slot.role == "department":
        matching = [p for p in people if p.department == slot.requirement]
        pool_zh, pool_en = f"“{slot.requirement}”部门人员", f"people of department {slot.requirement}"
    elif slot.role == "officer":
        matching = list(people)
        pool_zh, pool_en = "名录库人员", "people in the pool"
    else:
        matching = [p for p in people if slot.requirement in p.specialties]
        pool_zh, pool_en = f"具有“{slot.requirement}”专长的人员", f"people with specialty {slot.requirement}"
    if not matching:
        return (f"任务 {task.id} 需要{want_zh}，但名录库中没有{pool_zh}",
                f"task {task.id} needs {want_en}, but the pool has no {pool_en}")
    counts: dict[str, int] = {}
    for p in matching:
        code = ineligibility(p, task, slot)
        if code is not None:
            counts[code] = counts.get(code, 0) + 1
    deadline = task.deadline.isoformat()
    zh = "，".join(_REASONS[c][0].format(k, deadline) for c, k in sorted(counts.items()))
    en = ", ".join(_REASONS[c][1].format(k, deadline) for c, k in sorted(counts.items()))
    return (f"任务 {task.id} 需要{want_zh}，但无人符合条件：{pool_zh}共 {len(matching)} 人，{zh}",
            f"task {task.id} needs {want_en}, but nobody qualifies: of {len(matching)} {pool_en}, {en}")


# --- the public functions -------------------------------------------------------------------------


def assign(problem: Problem, seed: bytes | str) -> Assignment:
    """Draw every task's team from ``seed`` alone; or name the constraints that make it impossible."""
    draw = _Draw(problem, seed)
    unfilled = draw.fill()
    if unfilled:
        return Assignment(bindings=draw.bindings(unfilled))
    draw.improve()
    return Assignment(teams=draw.teams(), load_cap=draw.cap if draw.slot_task else 0)


def _assign_json(problem: Problem, seed: bytes | str) -> dict[str, Any]:
    """``assign(problem, seed).to_json()``, the teams written without building their objects first."""
    draw = _Draw(problem, seed)
    unfilled = draw.fill()
    if unfilled:
        return Assignment(bindings=draw.bindings(unfilled)).to_json()
    draw.improve()
    return {"algorithm": ALGORITHM, "teams": draw.teams_json(), "bindings": [],
            "load_cap": draw.cap if draw.slot_task else 0, "substitutions": []}


def diagnose(problem: Problem) -> tuple[Binding, ...]:
    """The binding constraints, or () when an assignment exists; needs no seed, so the plan can be
    checked before its inputs are frozen (the answer is the same for every seed)."""
    draw = _Draw(problem, bytes(32))
    unfilled = draw.fill()
    return draw.bindings(unfilled) if unfilled else ()


def substitute(problem: Problem, result: Assignment, task_id: str, inspector_id: str,
               seed: bytes | str) -> Assignment:
    """Replace a member who can no longer take part (illness, a conflict found late) by the fixed rule.

    The replacement is the eligible person with the smallest ticket for this task who is not in the
    team, has room under ``max_load`` and was not substituted out of any task of this draw before.
    Nobody chooses; the record says who left which place and who came in.
    """
    if not result.feasible:
        raise AssignmentError("抽取未成功，无可替换的检查组", "the draw has no teams to substitute in")
    team = result.team(task_id)
    if inspector_id not in team.inspectors:
        raise AssignmentError(f"{inspector_id} 不在任务 {task_id} 的检查组中",
                              f"{inspector_id} is not in the team of task {task_id}")
    task = next(t for t in problem.tasks if t.id == task_id)
    k = team.inspectors.index(inspector_id)
    slot = task_slots(task)[k]
    gone = {s.out for s in result.substitutions} | {inspector_id}
    loads = result.loads()
    candidates = [
        p for p in problem.inspectors
        if p.id not in team.inspectors and p.id not in gone and loads.get(p.id, 0) < problem.max_load
        and ineligibility(p, task, slot) is None
    ]
    if not candidates:
        want_zh, want_en = _describe(slot)
        raise AssignmentError(
            f"任务 {task_id} 没有可接替 {inspector_id} 的{want_zh}，须经批准并记录理由后重新抽取",
            f"task {task_id}: no {want_en} can replace {inspector_id}; a re-draw needs an approved, recorded reason",
        )
    prefix = hashlib.sha256(ticket_seed(seed).encode("utf-8")).hexdigest()
    chosen = min(candidates, key=lambda p: (_fraction(prefix, f"{task_id}/{p.id}"), p.id))
    members = list(team.members)
    members[k] = replace(members[k], inspector=chosen.id)
    teams = tuple(Team(t.task, tuple(members)) if t.task == task_id else t for t in result.teams)
    return replace(result, teams=teams,
                   substitutions=(*result.substitutions, Substitution(task_id, k, inspector_id, chosen.id)))


def check(problem: Problem, result: Assignment) -> list[str]:
    """Every hard constraint re-checked on ``result``; an empty list means the teams are lawful."""
    errors: list[str] = []
    if result.algorithm != ALGORITHM:
        errors.append(f"算法版本 {result.algorithm} 不是 {ALGORITHM} (algorithm version)")
    if not result.feasible:
        if result.teams:
            errors.append("抽取结果称无解却列出了检查组 (infeasible result lists teams)")
        actual = diagnose(problem)
        if not actual:
            errors.append("抽取结果称无解，但存在满足全部约束的分组 (claimed infeasible, but an assignment exists)")
        elif actual != result.bindings:
            errors.append("无解原因与重新计算不符 (binding constraints differ from a recomputation)")
        return errors
    people = {p.id: p for p in problem.inspectors}
    tasks = {t.id: t for t in problem.tasks}
    listed = [team.task for team in result.teams]
    for task_id in sorted(set(tasks) - set(listed)):
        errors.append(f"任务 {task_id} 没有检查组 (no team)")
    for task_id in sorted({t for t in listed if listed.count(t) > 1} | (set(listed) - set(tasks))):
        errors.append(f"任务 {task_id} 的检查组多出或重复 (team not in the problem, or listed twice)")
    loads: dict[str, int] = {}
    for team in result.teams:
        task = tasks.get(team.task)
        if task is None:
            continue
        slots = task_slots(task)
        if len(team.members) != len(slots):
            errors.append(f"任务 {task.id}：{len(team.members)} 名成员，应为 {len(slots)} 名 (team size)")
        seen: set[str] = set()
        for k, (member, slot) in enumerate(zip(team.members, slots, strict=False)):
            where = f"任务 {task.id} 岗位 {k}"
            if (member.role, member.requirement) != slot:
                errors.append(f"{where}：岗位应为 {slot.role}:{slot.requirement} (slot order)")
            if member.inspector in seen:
                errors.append(f"{where}：{member.inspector} 在同一检查组中出现两次 (twice in one team)")
            seen.add(member.inspector)
            loads[member.inspector] = loads.get(member.inspector, 0) + 1
            person = people.get(member.inspector)
            if person is None:
                errors.append(f"{where}：{member.inspector} 不在人员名录中 (not in the pool)")
                continue
            code = ineligibility(person, task, slot)
            if code is not None:
                errors.append(f"{where}：{member.inspector} 不符合条件：{_CHECK_REASONS[code]} ({code})")
    for name, load in sorted(loads.items()):
        if load > problem.max_load:
            errors.append(f"{name} 承担 {load} 项任务，超过上限 {problem.max_load} (max_load)")
    current = {team.task: team.inspectors for team in result.teams}
    for n, s in enumerate(result.substitutions):
        if s.out == s.into:
            errors.append(f"替换 {n}：替换前后为同一人 {s.out} (substitution to self)")
        if s.out in current.get(s.task, ()):
            errors.append(f"替换 {n}：{s.out} 已被替换却仍在任务 {s.task} 的检查组中 (substituted out, still in team)")
    return errors


_CHECK_REASONS = {
    "status": "不在岗",
    "recused": "须回避",
    "expert": "外部专家不能担任执法人员岗位",
    "not_expert": "不是外部专家",
    "certificate": "无执法证或有效期不到截止日",
    "department": "部门不符",
    "specialty": "不具备所需专长",
}


def section(problem: Problem, seed: bytes | str, result: Assignment) -> dict[str, Any]:
    """The assignment section of the draw manifest: what ``tools/verify_assignment.py`` reads."""
    return {"algorithm": ALGORITHM, "problem": problem.to_json(), "seed": seed_hex(seed),
            "result": result.to_json()}


def verify(data: Mapping[str, Any]) -> list[str]:
    """Re-run a manifest's assignment section through the engine; an empty list means all match.

    ``tools/verify_assignment.py`` does the same without this package; a test holds them to agree.
    """
    try:
        _keys(data, {"algorithm", "problem", "seed", "result"}, "section")
        if data["algorithm"] != ALGORITHM:
            return [f"algorithm {data['algorithm']!r} is not {ALGORITHM}"]
        problem = Problem.from_json(data["problem"])
        seed = seed_hex(_str(data["seed"], "seed"))
        claimed = Assignment.from_json(data["result"])
    except AssignmentError as error:
        return [f"malformed section: {error.en}"]
    expected = assign(problem, seed)
    differences = []
    for n, record in enumerate(claimed.substitutions):
        try:
            expected = substitute(problem, expected, record.task, record.out, seed)
        except AssignmentError as error:
            differences.append(f"substitution {n} ({record.task}, {record.out} out): {error.en}")
            break
        if expected.substitutions[-1] != record:
            done = expected.substitutions[-1]
            differences.append(f"substitution {n} ({record.task}, {record.out} out): the rule gives slot "
                               f"{done.slot}, {done.into} in; the record says slot {record.slot}, {record.into} in")
            break
    if expected.bindings != claimed.bindings:
        differences.append("binding constraints differ from the re-run")
    if expected.load_cap != claimed.load_cap:
        differences.append(f"load_cap {claimed.load_cap}, the re-run gives {expected.load_cap}")
    want = {t.task: t for t in expected.teams}
    got = {t.task: t for t in claimed.teams}
    for task_id in sorted(set(want) | set(got)):
        if want.get(task_id) != got.get(task_id):
            members = list(got[task_id].inspectors) if task_id in got else "none"
            redrawn = list(want[task_id].inspectors) if task_id in want else "none"
            differences.append(f"task {task_id}: team {members}, the re-run gives {redrawn}")
    differences += check(problem, claimed)
    return differences
