"""Inspector assignment: lawful teams, complete search, named obstacles, balance, fair and re-runnable draws.

Completeness is proved against two oracles written here, independently of the engine: an Edmonds–Karp
maximum flow over the explicit network source → inspector → (inspector, task) → slot → sink, and, on tiny
problems, brute force over every possible set of teams.
"""

import itertools
from collections import Counter, deque
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shuangsuiji.engine.assignment import (
    ALGORITHM,
    Assignment,
    AssignmentError,
    Inspector,
    Problem,
    Task,
    _assign_json,
    _candidates,
    _canonical_task,
    assign,
    check,
    diagnose,
    ineligibility,
    section,
    substitute,
    task_slots,
    ticket,
    verify,
)
from tests.engine.synthetic_pools import synthetic_problem

DRAW = date(2021, 6, 24)
DEADLINES = (date(2021, 9, 30), date(2021, 8, 31))
DEPARTMENTS = ("大气", "水", "固废")
SPECIALTIES = ("辐射", "危废")
SEED = bytes(range(32))
seeds = st.binary(min_size=32, max_size=32)


@st.composite
def problems(draw, max_tasks: int = 6, max_inspectors: int = 8, max_load: int = 4, lenient: bool = False):
    """Random pools; ``lenient`` ones have more people and fewer obstacles, so most are feasible."""
    count = draw(st.integers(4 if lenient else 1, max_inspectors + (4 if lenient else 0)))
    people = []
    for n in range(count):
        expert = draw(st.integers(0, 5)) == 0
        expiries = [date(2030, 1, 1), date(2021, 9, 30)] if lenient else [
            None, date(2030, 1, 1), date(2021, 9, 30), date(2021, 9, 1), date(2021, 6, 1)]
        expiry = draw(st.sampled_from(expiries))
        statuses = ["active"] * (12 if lenient else 4) + ["on_leave", "left"]
        people.append(Inspector(
            id=f"I{n}",
            department=draw(st.sampled_from(DEPARTMENTS)),
            specialties=tuple(s for s in SPECIALTIES if draw(st.booleans())),
            certificate_expiry=expiry if expert or expiry is not None else date(2030, 1, 1),
            status=draw(st.sampled_from(statuses)),
            expert=expert,
        ))
    ids = [p.id for p in people]
    tasks = []
    for n in range(draw(st.integers(1, max_tasks))):
        experts = draw(st.lists(st.sampled_from(SPECIALTIES), max_size=1))
        tasks.append(Task(
            id=f"T{n}",
            deadline=draw(st.sampled_from(DEADLINES)),
            team_size=draw(st.sampled_from([2, 2, 2, 3])),
            departments=tuple(draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=2, unique=True))),
            specialties=tuple(draw(st.lists(st.sampled_from(SPECIALTIES), max_size=1))),
            expert_specialties=tuple(experts) if not lenient or draw(st.integers(0, 7)) == 0 else (),
            recusals=tuple(draw(st.lists(st.sampled_from(ids), max_size=1 if lenient else 2, unique=True))),
        ))
    pairs = ()
    if count > 1:
        pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True).map(tuple)
        pairs = tuple(draw(st.lists(pair, max_size=8 if lenient else 4)))
    load = draw(st.integers(2, max_load + 2) if lenient else st.integers(1, max_load))
    return Problem(DRAW, tuple(tasks), tuple(people), load, pairs)


# --- independent oracles -------------------------------------------------------------------------


def may_fill(person: Inspector, task: Task, role: str, requirement: str) -> bool:
    """The rules of docs/assignment-spec.md §3, written again from the policy, not from the engine."""
    if person.status != "active" or person.id in task.recusals:
        return False
    if role == "expert":
        valid = person.certificate_expiry is None or person.certificate_expiry >= task.deadline
        return person.expert and valid and requirement in person.specialties
    certified = person.certificate_expiry is not None and person.certificate_expiry >= task.deadline
    if person.expert or not certified:
        return False
    if role == "department":
        return person.department == requirement
    return role == "officer" or requirement in person.specialties


def max_flow(problem: Problem, cap: int) -> int:
    """Edmonds–Karp on the explicit network; returns the number of slots that can be filled."""
    graph: dict[object, dict[object, int]] = {}

    def arc(a: object, b: object, capacity: int) -> None:
        graph.setdefault(a, {})[b] = graph.get(a, {}).get(b, 0) + capacity
        graph.setdefault(b, {}).setdefault(a, 0)

    for person in problem.inspectors:
        arc("source", ("person", person.id), cap)
    for task in problem.tasks:
        for k, (role, requirement) in enumerate(task_slots(task)):
            arc(("slot", task.id, k), "sink", 1)
            for person in problem.inspectors:
                if may_fill(person, task, role, requirement):
                    arc(("person", person.id), ("gadget", person.id, task.id), 1)
                    arc(("gadget", person.id, task.id), ("slot", task.id, k), 1)
    # gadgets were given capacity once per eligible slot; an inspector enters a team at most once
    for node, arcs in graph.items():
        if isinstance(node, tuple) and node[0] == "person":
            for target in arcs:
                if isinstance(target, tuple) and target[0] == "gadget" and arcs[target] > 1:
                    arcs[target] = 1
    flow = 0
    while True:
        parent: dict[object, object] = {"source": None}
        queue = deque(["source"])
        while queue and "sink" not in parent:
            node = queue.popleft()
            for target, capacity in graph.get(node, {}).items():
                if capacity > 0 and target not in parent:
                    parent[target] = node
                    queue.append(target)
        if "sink" not in parent:
            return flow
        node = "sink"
        while parent[node] is not None:
            graph[parent[node]][node] -= 1
            graph[node][parent[node]] += 1
            node = parent[node]
        flow += 1


def slot_count(problem: Problem) -> int:
    return sum(len(task_slots(task)) for task in problem.tasks)


def smallest_cap(problem: Problem) -> int | None:
    for cap in range(1, problem.max_load + 1):
        if max_flow(problem, cap) == slot_count(problem):
            return cap
    return None


def brute_force_teams(problem: Problem) -> list[tuple[tuple[str, ...], ...]]:
    """Every lawful set of teams (tiny problems only)."""
    per_task = []
    for task in problem.tasks:
        options = [[p.id for p in problem.inspectors if may_fill(p, task, *slot)] for slot in task_slots(task)]
        per_task.append([team for team in itertools.product(*options) if len(set(team)) == len(team)])
    lawful = []
    for teams in itertools.product(*per_task):
        loads = Counter(name for team in teams for name in team)
        if not loads or max(loads.values()) <= problem.max_load:
            lawful.append(teams)
    return lawful


def signature(problem: Problem, person: Inspector) -> frozenset:
    """The slots a person may fill: people with the same signature are interchangeable."""
    return frozenset((task.id, k) for task in problem.tasks for k, slot in enumerate(task_slots(task))
                     if may_fill(person, task, *slot))


def repeated_pairs(problem: Problem, result: Assignment) -> int:
    recent = {frozenset(pair) for pair in problem.recent_pairs}
    return sum(frozenset(pair) in recent
               for team in result.teams for pair in itertools.combinations(team.inspectors, 2))


# --- completeness and lawfulness -----------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), problems(lenient=True)), seeds)
def test_finds_teams_exactly_when_the_flow_says_they_exist(problem, seed):
    result = assign(problem, seed)
    full = max_flow(problem, problem.max_load) == slot_count(problem)
    assert result.feasible == full
    if full:
        assert check(problem, result) == []
        assert [t.task for t in result.teams] == [t.id for t in problem.tasks]
        for team, task in zip(result.teams, problem.tasks, strict=True):
            assert len(set(team.inspectors)) == len(team.inspectors)
            for member, (role, requirement) in zip(team.members, task_slots(task), strict=True):
                person = next(p for p in problem.inspectors if p.id == member.inspector)
                assert may_fill(person, task, role, requirement)
            officers = [m for m in team.members if m.role != "expert"]
            assert len(officers) >= task.team_size >= 2
        assert max(result.loads().values(), default=0) <= problem.max_load
    else:
        assert not result.teams and result.bindings


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(max_tasks=3, max_inspectors=5, max_load=2),
                problems(max_tasks=3, max_inspectors=2, max_load=1, lenient=True)), seeds)
def test_agrees_with_brute_force_on_tiny_problems(problem, seed):
    assume(slot_count(problem) <= 9)
    lawful = brute_force_teams(problem)
    result = assign(problem, seed)
    assert result.feasible == bool(lawful)
    if lawful:
        assert tuple(team.inspectors for team in result.teams) in lawful


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(max_tasks=5, max_inspectors=6), problems(max_tasks=5, max_inspectors=3, lenient=True)),
       seeds)
def test_the_heaviest_load_is_the_smallest_possible(problem, seed):
    result = assign(problem, seed)
    smallest = smallest_cap(problem)
    if result.feasible and result.teams:
        assert result.load_cap == smallest == max(result.loads().values())
    elif not result.feasible:
        assert smallest is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(lenient=True), seeds)
def test_interchangeable_inspectors_are_within_one_task(problem, seed):
    result = assign(problem, seed)
    assume(result.feasible)
    loads = result.loads()
    groups: dict[frozenset, list[int]] = {}
    for person in problem.inspectors:
        groups.setdefault(signature(problem, person), []).append(loads.get(person.id, 0))
    for same in groups.values():
        assert max(same) - min(same) <= 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), problems(lenient=True)), seeds, seeds)
def test_binding_constraints_match_the_minimum_cut_and_not_the_seed(problem, seed, other):
    result = assign(problem, seed)
    assume(not result.feasible)
    missing = slot_count(problem) - max_flow(problem, problem.max_load)
    assert sum(b.needed - b.available for b in result.bindings) == missing
    assert assign(problem, other).bindings == result.bindings == diagnose(problem)
    for binding in result.bindings:
        assert binding.needed > binding.available >= 0
        assert binding.zh and binding.en and all(task in binding.zh for task in binding.tasks[:10])
    assert check(problem, result) == []


# --- determinism and randomness ------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.one_of(problems(), problems(lenient=True)), seeds)
def test_the_draw_is_a_function_of_the_problem_and_seed(problem, seed):
    result = assign(problem, seed)
    assert assign(problem, seed) == result
    assert assign(problem, seed.hex()) == result
    assert Problem.from_json(problem.to_json()) == problem
    assert Assignment.from_json(result.to_json()) == result
    shuffled = Problem(problem.draw_date, problem.tasks[::-1], problem.inspectors[::-1], problem.max_load,
                       tuple(pair[::-1] for pair in problem.recent_pairs))
    assert assign(shuffled, seed) == result


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(problems(), problems(lenient=True)), seeds)
def test_the_manifests_shortcuts_give_what_the_public_functions_give(problem, seed):
    """The draw's manifest makes its tasks from canonical fields without normalising them again and writes
    the result without building its objects: the same tasks, the same result, feasible or not."""
    canonical_tasks = tuple(_canonical_task(t.id, t.deadline, t.team_size, t.departments, t.specialties,
                                            t.expert_specialties, t.recusals) for t in problem.tasks)
    assert canonical_tasks == problem.tasks
    assert all(vars(a) == vars(b) for a, b in zip(canonical_tasks, problem.tasks, strict=True))
    assert _assign_json(problem, seed) == assign(problem, seed).to_json()


@settings(max_examples=200, deadline=None)
@given(problems())
def test_a_slots_candidates_are_those_ineligibility_admits(problem):
    """The solver lists a slot's candidates with ineligibility's tests written out (_candidates): the same people,
    for every role, deadline, status, expiry and expert flag; recusals are taken out afterwards, task by task."""
    for task in problem.tasks:
        bare = replace(task, recusals=())
        for slot in task_slots(task):
            expected = [n for n, p in enumerate(problem.inspectors) if ineligibility(p, bare, slot) is None]
            assert _candidates(problem.inspectors, task.deadline, slot) == expected


def pool(officers: int, tasks: int, **task_fields) -> Problem:
    people = tuple(Inspector(f"I{n:02d}", "执法支队", (), date(2030, 1, 1)) for n in range(officers))
    work = tuple(Task(f"T{n:02d}", DEADLINES[0], **task_fields) for n in range(tasks))
    return Problem(DRAW, work, people, max_load=tasks)


def test_different_seeds_give_different_teams():
    problem = pool(officers=6, tasks=12)
    draws = {tuple(t.inspectors for t in assign(problem, bytes([n]) * 32).teams) for n in range(20)}
    assert len(draws) == 20


def test_each_inspector_is_chosen_about_equally_often():
    problem = pool(officers=5, tasks=1)
    counts = Counter(name for n in range(2000) for name in assign(problem, n.to_bytes(32, "big")).teams[0].inspectors)
    # each of 5 is in the 2-person team with probability 2/5: 800 of 2000, standard deviation ≈ 21.9
    assert all(700 <= counts[f"I{n:02d}"] <= 900 for n in range(5)), counts


def test_pairs_come_out_about_equally_often():
    problem = pool(officers=4, tasks=1)
    counts = Counter(frozenset(assign(problem, n.to_bytes(32, "big")).teams[0].inspectors) for n in range(1200))
    # 6 possible pairs, 200 each expected, standard deviation ≈ 12.9
    assert len(counts) == 6 and all(140 <= c <= 260 for c in counts.values()), counts


def test_balanced_symmetric_pool():
    for n in range(20):
        loads = assign(pool(officers=6, tasks=13), bytes([n]) * 32).loads()
        assert sorted(loads.values()) == [4, 4, 4, 4, 5, 5]


# --- soft constraint: recent pairs ---------------------------------------------------------------


def test_recent_pairs_are_avoided_when_another_way_exists():
    base = pool(officers=4, tasks=4)
    problem = Problem(DRAW, base.tasks, base.inspectors, 2, (("I00", "I01"), ("I02", "I03")))
    for n in range(50):
        result = assign(problem, bytes([n]) * 32)
        assert repeated_pairs(problem, result) == 0
        assert sorted(result.loads().values()) == [2, 2, 2, 2]


def test_a_repeated_pair_is_kept_only_when_unavoidable():
    people = (Inspector("A", "辐射安全管理处", ("辐射",), date(2030, 1, 1)),
              Inspector("B", "辐射安全管理处", ("辐射",), date(2030, 1, 1)),
              Inspector("C", "大气环境处", (), date(2030, 1, 1)))
    task = Task("T", DEADLINES[0], departments=("辐射安全管理处",), specialties=("辐射",))
    problem = Problem(DRAW, (task,), people, 1, (("A", "B"),))
    result = assign(problem, SEED)
    assert set(result.team("T").inspectors) == {"A", "B"}  # both places need 辐射: the pair is unavoidable
    assert check(problem, result) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_tasks=4, max_inspectors=6, lenient=True), seeds)
def test_no_single_move_could_break_up_a_repeated_pair_at_no_cost_to_balance(problem, seed):
    result = assign(problem, seed)
    assume(result.feasible and problem.recent_pairs)
    recent = {frozenset(pair) for pair in problem.recent_pairs}
    loads = result.loads()
    for team, task in zip(result.teams, problem.tasks, strict=True):
        for k, (member, slot) in enumerate(zip(team.members, task_slots(task), strict=True)):
            rest = [m for m in team.inspectors if m != member.inspector]
            before = sum(frozenset((member.inspector, m)) in recent for m in rest)
            for person in problem.inspectors:
                if person.id in team.inspectors or not may_fill(person, task, *slot):
                    continue
                after = sum(frozenset((person.id, m)) in recent for m in rest)
                lighter = loads.get(person.id, 0) == loads[member.inspector] - 1
                assert not (lighter and after < before), (task.id, k, person.id)


# --- hard constraints one by one -----------------------------------------------------------------


def test_expired_certificates_recusal_leave_and_experts_never_fill_officer_places():
    people = (
        Inspector("valid-1", "大气", (), date(2030, 1, 1)),
        Inspector("valid-through-deadline", "大气", (), date(2021, 9, 30)),
        Inspector("expires-before-deadline", "大气", (), date(2021, 9, 29)),
        Inspector("no-certificate", "大气", (), None),
        Inspector("on-leave", "大气", (), date(2030, 1, 1), status="on_leave"),
        Inspector("left", "大气", (), date(2030, 1, 1), status="left"),
        Inspector("expert", "大气", (), None, expert=True),
        Inspector("recused", "大气", (), date(2030, 1, 1)),
    )
    task = Task("T", date(2021, 9, 30), recusals=("recused",))
    problem = Problem(DRAW, (task,), people, 1)
    for n in range(50):
        assert set(assign(problem, bytes([n]) * 32).team("T").inspectors) == {"valid-1", "valid-through-deadline"}


def test_joint_task_has_one_officer_of_each_department_a_specialist_and_the_invited_expert():
    people = (
        Inspector("A1", "大气", (), date(2030, 1, 1)), Inspector("A2", "大气", ("辐射",), date(2030, 1, 1)),
        Inspector("W1", "水", (), date(2030, 1, 1)), Inspector("S1", "固废", ("辐射",), date(2030, 1, 1)),
        Inspector("E1", "专家库", ("辐射",), None, expert=True),
        Inspector("E2", "专家库", ("危废",), None, expert=True),
    )
    task = Task("T", DEADLINES[0], departments=("水", "大气"), specialties=("辐射",), expert_specialties=("辐射",))
    for n in range(30):
        team = assign(Problem(DRAW, (task,), people, 1), bytes([n]) * 32).team("T")
        assert [(m.role, m.requirement) for m in team.members] == [
            ("department", "大气"), ("department", "水"), ("specialty", "辐射"), ("expert", "辐射")]
        names = team.inspectors
        assert names[0] in {"A1", "A2"} and names[1] == "W1" and names[2] in {"A2", "S1"} and names[3] == "E1"
        assert len(set(names)) == 4


def test_team_size_above_two_and_slot_order():
    task = Task("T", DEADLINES[0], team_size=3, departments=("大气",))
    assert task_slots(task) == (("department", "大气"), ("officer", ""), ("officer", ""))
    assert task_slots(Task("U", DEADLINES[0], departments=("a", "b", "c"))) == tuple(
        ("department", d) for d in "abc")


def test_load_cap_is_never_exceeded():
    problem = Problem(DRAW, pool(3, 3).tasks, pool(3, 3).inspectors, 2)
    result = assign(problem, SEED)
    assert result.feasible and max(result.loads().values()) == 2
    assert not assign(Problem(DRAW, problem.tasks, problem.inspectors, 1), SEED).feasible


# --- binding constraints -------------------------------------------------------------------------


def test_missing_specialty_is_named_with_the_reasons():
    people = (Inspector("A1", "大气", ("辐射",), date(2030, 1, 1)),
              Inspector("A2", "大气", ("辐射",), date(2021, 7, 1)),
              Inspector("A3", "大气", ("辐射",), date(2030, 1, 1), status="on_leave"),
              Inspector("A4", "大气", (), date(2030, 1, 1)), Inspector("A5", "大气", (), date(2030, 1, 1)))
    task = Task("91130600MA0000001X", DEADLINES[0], specialties=("辐射",), recusals=("A1",))
    (binding,) = assign(Problem(DRAW, (task,), people, 3), SEED).bindings
    assert binding.kind == "no_candidate" and binding.tasks == ("91130600MA0000001X",)
    assert binding.zh == ("任务 91130600MA0000001X 需要具有“辐射”专长的执法人员，但无人符合条件："
                          "具有“辐射”专长的人员共 3 人，1 人无执法证或执法证有效期不到截止日 2021-09-30，"
                          "1 人回避，1 人不在岗")
    assert "needs an officer with specialty 辐射" in binding.en and "1 recused" in binding.en


def test_department_too_small_for_its_joint_tasks():
    people = (Inspector("R1", "辐射安全管理处", (), date(2030, 1, 1)),
              *(Inspector(f"Q{n}", "执法支队", (), date(2030, 1, 1)) for n in range(6)))
    tasks = tuple(Task(f"T{n}", DEADLINES[0], departments=("辐射安全管理处", "执法支队")) for n in range(3))
    (binding,) = assign(Problem(DRAW, tasks, people, 2), SEED).bindings
    assert binding.kind == "department"
    assert (binding.tasks, binding.inspectors, binding.needed, binding.available) == (("T0", "T1", "T2"), ("R1",), 3, 2)
    assert binding.zh.startswith("“辐射安全管理处”部门仅有 1 名符合条件的执法人员（R1），每人本次至多 2 项任务，"
                                 "无法满足需要该部门人员的 3 个联合任务（T0、T1、T2）")
    assert binding.en.startswith("department 辐射安全管理处 has only 1 qualifying officer(s) (R1)")


def test_too_few_distinct_people_for_one_team():
    people = (Inspector("A1", "大气", (), date(2030, 1, 1)), Inspector("A2", "大气", (), date(2020, 1, 1)))
    (binding,) = assign(Problem(DRAW, (Task("T1", DEADLINES[0]),), people, 5), SEED).bindings
    assert binding.kind == "team" and binding.inspectors == ("A1",) and (binding.needed, binding.available) == (2, 1)
    assert "需要 2 名不同人员" in binding.zh and "只有 1 名（A1）" in binding.zh


def test_hall_violator_across_tasks_and_requirements():
    # four officers, cap 2: eight places; three tasks of three officers need nine
    people = tuple(Inspector(f"P{n}", "执法支队", ("辐射",) if n == 0 else (), date(2030, 1, 1)) for n in range(4))
    tasks = tuple(Task(f"T{n}", DEADLINES[0], team_size=3, specialties=("辐射",) if n == 0 else ()) for n in range(3))
    (binding,) = assign(Problem(DRAW, tasks, people, 2), SEED).bindings
    assert binding.kind == "capacity" and (binding.needed, binding.available) == (9, 8)
    assert binding.inspectors == ("P0", "P1", "P2", "P3") and "最多只能担任 8 个" in binding.zh


def test_too_few_specialists_for_the_tasks_that_need_them():
    people = (Inspector("S1", "大气", ("危废",), date(2030, 1, 1)),
              *(Inspector(f"P{n}", "大气", (), date(2030, 1, 1)) for n in range(4)))
    tasks = tuple(Task(f"T{n}", DEADLINES[0], specialties=("危废",)) for n in range(3))
    (binding,) = assign(Problem(DRAW, tasks, people, 2), SEED).bindings
    assert binding.kind == "specialty" and (binding.needed, binding.available) == (3, 2)
    assert binding.zh.startswith("3 个任务（T0、T1、T2）各需具有“危废”专长的执法人员，符合条件的只有 1 名（S1）")


def test_independent_obstacles_are_reported_separately():
    people = (Inspector("A1", "大气", (), date(2030, 1, 1)), Inspector("A2", "大气", (), date(2030, 1, 1)))
    tasks = (Task("X", DEADLINES[0], specialties=("危废",)), Task("Y", DEADLINES[0], departments=("土壤",)),
             Task("Z", DEADLINES[0]))
    bindings = assign(Problem(DRAW, tasks, people, 3), SEED).bindings
    assert [(b.kind, b.tasks) for b in bindings] == [("no_candidate", ("X",)), ("no_candidate", ("Y",))]
    assert bindings[1].zh == "任务 Y 需要“土壤”部门的执法人员，但名录库中没有“土壤”部门人员"


# --- substitution --------------------------------------------------------------------------------


def test_substitution_takes_the_next_eligible_by_ticket_and_is_recorded():
    problem = pool(officers=6, tasks=3)
    result = assign(problem, SEED)
    team = result.team("T01")
    out = team.inspectors[0]
    replaced = substitute(problem, result, "T01", out, SEED)
    loads = result.loads()
    expected = min((p.id for p in problem.inspectors if p.id not in team.inspectors and loads.get(p.id, 0) < 3),
                   key=lambda name: (ticket(SEED, "T01", name), name))
    assert replaced.team("T01").inspectors == (expected, team.inspectors[1])
    assert replaced.substitutions[-1].task == "T01" and replaced.substitutions[-1].out == out
    assert replaced.substitutions[-1].into == expected and replaced.substitutions[-1].slot == 0
    assert substitute(problem, result, "T01", out, SEED) == replaced
    assert check(problem, replaced) == []
    # the one substituted out is never drawn back in, anywhere in this draw
    again = substitute(problem, replaced, "T01", expected, SEED)
    assert out not in again.team("T01").inspectors and len(again.substitutions) == 2


def test_substitution_without_anyone_left_refuses():
    problem = pool(officers=2, tasks=1)
    result = assign(problem, SEED)
    with pytest.raises(AssignmentError) as refused:
        substitute(problem, result, "T00", "I00", SEED)
    assert "重新抽取" in refused.value.zh
    with pytest.raises(AssignmentError):
        substitute(problem, result, "T00", "nobody", SEED)


# --- the check -----------------------------------------------------------------------------------


def test_check_catches_every_kind_of_tampering():
    people = (Inspector("A", "大气", (), date(2030, 1, 1)), Inspector("B", "大气", (), date(2030, 1, 1)),
              Inspector("C", "水", (), date(2021, 7, 1)), Inspector("D", "水", (), date(2030, 1, 1), status="left"),
              Inspector("E", "水", (), date(2030, 1, 1)))
    problem = Problem(DRAW, (Task("T", DEADLINES[0], recusals=("B",)), Task("U", DEADLINES[0])), people, 2)
    result = assign(problem, SEED)
    assert result.feasible and check(problem, result) == []

    def forged(task: str, names: tuple[str, ...]) -> list[str]:
        teams = tuple(
            type(t)(t.task, tuple(type(m)(n, m.role, m.requirement) for m, n in zip(t.members, names, strict=True)))
            if t.task == task else t for t in result.teams)
        return check(problem, Assignment(teams, (), result.load_cap, ()))

    assert any("twice" in e for e in forged("U", ("A", "A")))
    assert any("recused" in e for e in forged("T", ("A", "B")))
    assert any("certificate" in e for e in forged("U", ("A", "C")))
    assert any("status" in e for e in forged("U", ("A", "D")))
    assert any("not in the pool" in e for e in forged("U", ("A", "Z")))
    missing = Assignment(result.teams[:1], (), result.load_cap, ())
    assert any("no team" in e for e in check(problem, missing))
    assert any("infeasible" in e for e in check(problem, Assignment(bindings=diagnose(pool(1, 1)))))


def test_problems_are_validated():
    person = Inspector("A", "大气", (), date(2030, 1, 1))
    with pytest.raises(AssignmentError, match="duplicate inspector A"):
        Problem(DRAW, (), (person, person), 1)
    with pytest.raises(AssignmentError, match="team_size must be at least 2"):
        Problem(DRAW, (Task("T", DEADLINES[0], team_size=1),), (person,), 1)
    with pytest.raises(AssignmentError, match="deadline before the draw date"):
        Problem(DRAW, (Task("T", DRAW - timedelta(days=1)),), (person,), 1)
    with pytest.raises(AssignmentError, match="free of '/'"):
        Problem(DRAW, (Task("T/1", DEADLINES[0]),), (person,), 1)
    with pytest.raises(AssignmentError, match="max_load"):
        Problem(DRAW, (), (person,), 0)
    data = Problem(DRAW, (Task("T", DEADLINES[0]),), (person,), 1).to_json()
    with pytest.raises(AssignmentError, match="expert must be an integer"):
        Problem.from_json({**data, "inspectors": [{**data["inspectors"][0], "expert": True}]})
    with pytest.raises(AssignmentError, match="unexpected keys"):
        Problem.from_json({**data, "extra": 1})
    with pytest.raises(AssignmentError, match="YYYY-MM-DD"):
        Problem.from_json({**data, "draw_date": "2021-6-24"})
    with pytest.raises(AssignmentError, match="64 hex digits"):
        assign(Problem.from_json(data), "abc")


@pytest.mark.parametrize(("change", "message"), [
    ({"expert": True}, r"inspectors\[1\]\.expert must be an integer"),
    ({"expert": 2}, r"inspectors\[1\]\.expert must be 0 or 1"),
    ({"id": 7}, r"inspectors\[1\]\.id must be a string"),
    ({"department": None}, r"inspectors\[1\]\.department must be a string"),
    ({"status": 1}, r"inspectors\[1\]\.status must be a string"),
    ({"specialties": "辐射"}, r"inspectors\[1\]\.specialties must be a list"),
    ({"specialties": ["辐射", 3]}, r"inspectors\[1\]\.specialties\[1\] must be a string"),
    ({"certificate_expiry": None}, r"inspectors\[1\]\.certificate_expiry must be a string"),
    ({"certificate_expiry": "2030-1-1"}, r"inspectors\[1\]\.certificate_expiry must be a YYYY-MM-DD date"),
    ({"certificate_expiry": "2030-02-30"}, r"inspectors\[1\]\.certificate_expiry must be a YYYY-MM-DD date"),
    ({"extra": 1}, r"inspectors\[1\]: unexpected keys \['extra'\]"),
    ({"status": "retired"}, "unknown status 'retired'"),
])
def test_every_fault_of_an_inspector_entry_is_named(change, message):
    """Entries are read without composing each field's message when they are sound; a faulty one is read
    field by field, so the error names the entry and the field as it always did."""
    people = (Inspector("A", "大气", (), date(2030, 1, 1)), Inspector("B", "水", ("辐射",), None, expert=True))
    data = Problem(DRAW, (), people, 1).to_json()
    assert Problem.from_json(data).inspectors == people
    data["inspectors"][1] = {**data["inspectors"][1], **change}
    with pytest.raises(AssignmentError, match=message):
        Problem.from_json(data)


def test_canonical_json_holds_only_strings_and_integers():
    problem = Problem(DRAW, (Task("T", DEADLINES[0], departments=("水", "大气")),),
                      (Inspector("B", "水", ("b", "a"), None, expert=True),
                       Inspector("A", "大气", (), date(2030, 1, 1))), 2, (("B", "A"),))
    data = problem.to_json()
    assert [p["id"] for p in data["inspectors"]] == ["A", "B"]
    assert data["inspectors"][1] == {"id": "B", "department": "水", "specialties": ["a", "b"],
                                     "certificate_expiry": "", "status": "active", "expert": 1}
    assert data["tasks"][0]["departments"] == ["大气", "水"] and data["recent_pairs"] == [["A", "B"]]

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    assert all(type(leaf) in (str, int) for leaf in leaves(data))
    result = assign(problem, SEED).to_json()
    assert result["algorithm"] == ALGORITHM and all(type(leaf) in (str, int) for leaf in leaves(result))


# --- scale ---------------------------------------------------------------------------------------


def test_realistic_pools_are_lawful_and_verify():
    problem = synthetic_problem(tasks=150, inspectors=40, label="county")
    result = assign(problem, SEED)
    assert result.feasible and check(problem, result) == []
    assert verify(section(problem, SEED, result)) == []


def test_the_smallest_ticket_is_found_from_its_first_digits_and_ties_go_to_the_full_ticket():
    # The solver compares a ticket's first four digits and writes the whole ticket only when those are
    # equal. With 300 candidates some share their first four digits: a set of candidates whose smallest
    # first digits are shared takes the second path.
    from shuangsuiji.engine.assignment import _Draw

    people = tuple(Inspector(f"P{k:03d}", "大气", (), date(2022, 1, 1)) for k in range(300))
    problem = Problem(DRAW, tuple(Task(f"T{k:02d}", DEADLINES[0]) for k in range(20)), people, 20)
    draw = _Draw(problem, SEED)
    tied = 0
    for t in range(20):
        full = {n: ticket(SEED, f"T{t:02d}", f"P{n:03d}") for n in range(300)}
        for names in (list(range(0, 300, 1 + t % 3)), *_sharing_first_digits(full)):
            expected = min(names, key=lambda n: (full[n], n))
            assert draw.first_by_ticket(t, names) == expected
            first, second = sorted(full[n] for n in names)[:2]
            tied += first[:6] == second[:6]
        assert all("0." + draw.ticket(t, n) == full[n] for n in range(0, 300, 7))
    assert tied


def _sharing_first_digits(full: dict[int, str]) -> list[list[int]]:
    """Candidate lists whose two smallest tickets share their first four digits, with larger ones after."""
    by_head: dict[str, list[int]] = {}
    for n, text in full.items():
        by_head.setdefault(text[2:6], []).append(n)
    lists = []
    for head, names in by_head.items():
        if len(names) > 1:
            larger = [n for n, text in full.items() if text[2:6] > head][:5]
            lists.append(sorted(names[:2] + larger))
    return lists


def test_a_pool_is_read_column_by_column_as_entry_by_entry():
    # Problem.from_json reads a pool whose entries all pass as whole columns (_plain_inspectors); one entry
    # amiss sends every entry through the reading that names the fault.
    from shuangsuiji.engine.assignment import _plain_inspector, _plain_inspectors

    good = [{"id": f"P{k}", "department": "大气", "specialties": ["水", "气"][: k % 3], "status": "active",
             "certificate_expiry": ["", "2022-01-01", "2021-12-31"][k % 3], "expert": k % 2} for k in range(6)]
    assert _plain_inspectors(good) == [_plain_inspector(entry) for entry in good]
    assert _plain_inspectors([]) == []
    for field, value in (("certificate_expiry", "2021-02-30"), ("certificate_expiry", "２０２１-01-01"),
                         ("expert", 2), ("expert", True), ("specialties", ("水",)), ("specialties", [1]),
                         ("id", 7), ("status", None), ("extra", 1)):
        entries = [*good[:3], {**good[3], field: value}, *good[4:]]
        assert _plain_inspectors(entries) is None
        problem = {"draw_date": "2021-06-24", "max_load": 3, "tasks": [], "inspectors": entries, "recent_pairs": []}
        with pytest.raises(AssignmentError, match=r"^inspectors\[3\]"):  # named as before
            Problem.from_json(problem)
    assert Problem.from_json({"draw_date": "2021-06-24", "max_load": 3, "tasks": [], "inspectors": good,
                              "recent_pairs": []}).inspectors == tuple(map(_plain_inspector, good))
