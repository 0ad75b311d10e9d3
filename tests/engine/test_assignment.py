"""Inspector assignment: lawful teams, complete search, named obstacles, fair and re-runnable draws."""

import contextlib
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine.assignment import (
    AssignmentProblem,
    AssignmentResult,
    InspectorSpec,
    Slot,
    TaskSpec,
    assign,
    check,
    eligible,
    slots_for,
    substitute,
    verify_section,
)

DEPARTMENTS = ("大气", "水", "固废")
SPECIALTIES = ("辐射", "危废")
SEED = bytes(range(32))


@st.composite
def problems(draw, max_tasks: int = 6, max_inspectors: int = 7):
    inspectors = tuple(
        InspectorSpec(
            id=f"I{n}",
            department=draw(st.sampled_from(DEPARTMENTS)),
            specialties=tuple(s for s in SPECIALTIES if draw(st.booleans())),
            certificate_expiry=draw(st.sampled_from(["2030-01-01", "2030-01-01", "2021-06-30", ""])),
            status=draw(st.sampled_from(["active", "active", "active", "on_leave"])),
        )
        for n in range(draw(st.integers(1, max_inspectors)))
    )
    ids = [i.id for i in inspectors]
    tasks = tuple(
        TaskSpec(
            id=f"T{n}",
            slots=slots_for(
                draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=2, unique=True)),
                draw(st.lists(st.sampled_from(SPECIALTIES), max_size=1)),
            ),
            recused=tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
        )
        for n in range(draw(st.integers(1, max_tasks)))
    )
    pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)
    pairs = tuple(tuple(p) for p in draw(st.lists(pair, max_size=3))) if len(ids) > 1 else ()
    return AssignmentProblem(tasks, inspectors, "2021-09-30", pairs)


def brute_force_feasible(problem: AssignmentProblem) -> bool:
    """Independent of the engine's matching: try every way of filling each task's slots."""
    for task in problem.tasks:
        options = [[i.id for i in problem.inspectors if eligible(i, slot, task, problem.valid_through)]
                   for slot in task.slots]
        if not any(len(set(combo)) == len(combo) for combo in itertools.product(*options)):
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(problems(), st.binary(min_size=32, max_size=32))
def test_finds_a_lawful_assignment_exactly_when_one_exists(problem, seed):
    result = assign(problem, seed)
    assert result.feasible == brute_force_feasible(problem)
    if result.feasible:
        assert check(problem, result) == []
        assert set(result.teams) == {t.id for t in problem.tasks}
    else:
        assert result.binding and all("任务" in line for line in result.binding)


@settings(max_examples=100, deadline=None)
@given(problems(), st.binary(min_size=32, max_size=32))
def test_the_draw_is_a_function_of_the_seed_and_verifies(problem, seed):
    result = assign(problem, seed)
    assert assign(problem, seed) == result
    section = {"problem": problem.to_json(), "seed": seed.hex(), "result": result.to_json()}
    assert verify_section(section) == []
    assert AssignmentProblem.from_json(problem.to_json()).to_json() == problem.to_json()


def symmetric_problem(tasks: int = 12, officers: int = 6) -> AssignmentProblem:
    inspectors = tuple(InspectorSpec(f"I{n}", "大气", (), "2030-01-01") for n in range(officers))
    return AssignmentProblem(tuple(TaskSpec(f"T{n:02d}", slots_for()) for n in range(tasks)), inspectors,
                             "2021-09-30")


def test_different_seeds_give_different_teams():
    problem = symmetric_problem()
    draws = {tuple(sorted(assign(problem, bytes([n]) * 32).teams.items())) for n in range(10)}
    assert len(draws) > 5


def test_loads_of_interchangeable_officers_within_one_task():
    for n in range(20):
        result = assign(symmetric_problem(tasks=13, officers=6), bytes([n]) * 32)
        loads = Counter(name for team in result.teams.values() for name in team)
        assert max(loads.values()) - min(loads.values()) <= 1
        assert sum(loads.values()) == 26


def test_each_officer_is_chosen_about_equally_often_over_many_seeds():
    problem = symmetric_problem(tasks=1, officers=5)
    counts = Counter(name for n in range(1000) for name in assign(problem, n.to_bytes(32, "big")).teams["T00"])
    # each of 5 officers is in a 2-person team with probability 2/5: 400 of 1000, sd ≈ 15.5
    assert all(320 <= counts[f"I{n}"] <= 480 for n in range(5)), counts


def test_recent_pairs_are_separated_when_another_way_exists():
    base = symmetric_problem(tasks=4, officers=4)
    pairs = (("I0", "I1"), ("I2", "I3"))
    problem = AssignmentProblem(base.tasks, base.inspectors, base.valid_through, pairs)
    for n in range(30):
        for team in assign(problem, bytes([n]) * 32).teams.values():
            assert frozenset(team) not in {frozenset(p) for p in pairs}


def test_expired_certificate_recusal_and_leave_are_never_drawn():
    inspectors = (
        InspectorSpec("valid-1", "大气", (), "2030-01-01"),
        InspectorSpec("valid-2", "大气", (), "2021-09-30"),
        InspectorSpec("expires-before-deadline", "大气", (), "2021-09-29"),
        InspectorSpec("on-leave", "大气", (), "2030-01-01", status="on_leave"),
        InspectorSpec("expert", "大气", (), ""),
        InspectorSpec("recused", "大气", (), "2030-01-01"),
    )
    problem = AssignmentProblem((TaskSpec("T", slots_for(), recused=("recused",)),), inspectors, "2021-09-30")
    for n in range(50):
        assert set(assign(problem, bytes([n]) * 32).teams["T"]) == {"valid-1", "valid-2"}


def test_joint_task_has_one_officer_from_each_department_and_the_specialist():
    inspectors = (
        InspectorSpec("A1", "大气", (), "2030-01-01"), InspectorSpec("A2", "大气", ("辐射",), "2030-01-01"),
        InspectorSpec("W1", "水", (), "2030-01-01"), InspectorSpec("S1", "固废", ("辐射",), "2030-01-01"),
    )
    task = TaskSpec("T", (Slot(department="大气"), Slot(department="水"), Slot(specialty="辐射")))
    result = assign(AssignmentProblem((task,), inspectors, "2021-09-30"), SEED)
    team = result.teams["T"]
    assert team[1] == "W1" and team[0] in {"A1", "A2"} and team[2] in {"A2", "S1"} and len(set(team)) == 3


def test_binding_constraint_names_the_missing_specialty():
    inspectors = (InspectorSpec("A1", "大气", (), "2030-01-01"), InspectorSpec("A2", "大气", (), "2030-01-01"))
    problem = AssignmentProblem((TaskSpec("T9", slots_for(specialties=["辐射"])),), inspectors, "2021-09-30")
    result = assign(problem, SEED)
    assert not result.feasible
    assert result.binding == ("任务 T9 需要具备“辐射”专长的执法人员，但没有在岗、执法证有效至截止日期且无需回避的人员",)


def test_binding_constraint_names_the_too_few_officers():
    inspectors = (InspectorSpec("A1", "大气", (), "2030-01-01"), InspectorSpec("A2", "大气", (), "2020-01-01"))
    problem = AssignmentProblem((TaskSpec("T1", slots_for()),), inspectors, "2021-09-30")
    (line,) = assign(problem, SEED).binding
    assert "需要 2 名不同的人员" in line and "只有 1 名：A1" in line


def test_check_catches_a_tampered_team():
    problem = symmetric_problem(tasks=2, officers=3)
    result = assign(problem, SEED)
    forged = AssignmentResult(teams={**result.teams, "T00": ("I0", "I0")}, load_cap=result.load_cap)
    assert any("twice" in p for p in check(problem, forged))
    section = {"problem": problem.to_json(), "seed": SEED.hex(), "result": forged.to_json()}
    assert any("T00" in line for line in verify_section(section))


def test_substitution_takes_the_next_eligible_officer_by_ticket_and_verifies():
    problem = symmetric_problem(tasks=3, officers=5)
    result = assign(problem, SEED)
    out = result.teams["T01"][0]
    replaced = substitute(problem, result, SEED, "T01", out, reason="病假")
    assert replaced.teams["T01"][0] != out and replaced.teams["T01"][1] == result.teams["T01"][1]
    assert replaced.substitutions[0]["out"] == out and replaced.substitutions[0]["reason"] == "病假"
    assert substitute(problem, result, SEED, "T01", out, reason="病假") == replaced
    section = {"problem": problem.to_json(), "seed": SEED.hex(), "result": replaced.to_json()}
    assert verify_section(section) == []
    forged = dict(section, result=dict(section["result"], teams=dict(section["result"]["teams"])))
    others = [name for name in ("I0", "I1", "I2", "I3", "I4")
              if name not in result.teams["T01"] and name != replaced.teams["T01"][0]]
    forged["result"]["teams"]["T01"] = [others[0], result.teams["T01"][1]]
    assert any("T01" in line for line in verify_section(forged))


def test_duplicate_ids_are_refused():
    inspectors = (InspectorSpec("A", "大气", (), "2030-01-01"),) * 2
    with pytest.raises(ValueError, match="duplicate inspector ids: A"):
        assign(AssignmentProblem((), inspectors, "2021-09-30"), SEED)


def brute_force_min_max_load(problem: AssignmentProblem) -> int:
    best = None
    per_task = []
    for task in problem.tasks:
        options = [[i.id for i in problem.inspectors if eligible(i, slot, task, problem.valid_through)]
                   for slot in task.slots]
        per_task.append([combo for combo in itertools.product(*options) if len(set(combo)) == len(combo)])
    for teams in itertools.product(*per_task):
        heaviest = max(Counter(name for team in teams for name in team).values())
        best = heaviest if best is None else min(best, heaviest)
    return best


@settings(max_examples=150, deadline=None)
@given(problems(max_tasks=4, max_inspectors=5), st.binary(min_size=32, max_size=32))
def test_heaviest_load_is_the_smallest_possible(problem, seed):
    """The flow with the lowest workable load cap: nobody carries more than the fairest lawful split needs."""
    result = assign(problem, seed)
    if result.feasible and result.teams:
        heaviest = max(Counter(name for team in result.teams.values() for name in team).values())
        assert heaviest == brute_force_min_max_load(problem)


def standalone_verifier():
    """tools/verify_assignment.py, loaded as the public would run it: a file beside nothing else."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "tools" / "verify_assignment.py"
    spec = importlib.util.spec_from_file_location("verify_assignment", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STANDALONE = standalone_verifier()


@settings(max_examples=300, deadline=None)
@given(problems(max_tasks=8, max_inspectors=8), st.binary(min_size=32, max_size=32), st.data())
def test_standalone_verifier_agrees_with_the_engine(problem, seed, data):
    result = assign(problem, seed)
    if result.feasible and result.teams:
        task_id = data.draw(st.sampled_from(sorted(result.teams)))
        with contextlib.suppress(ValueError):  # nobody left to substitute: the draw stands as it is
            result = substitute(problem, result, seed, task_id, result.teams[task_id][0], reason="病假")
    section = {"problem": problem.to_json(), "seed": seed.hex(), "result": result.to_json()}
    section = json.loads(json.dumps(section))  # exactly what a published manifest holds
    assert STANDALONE.verify_assignment(section) == []
    assert verify_section(section) == []
    if result.teams:
        task_id = data.draw(st.sampled_from(sorted(result.teams)))
        team = section["result"]["teams"][task_id]
        section["result"]["teams"][task_id] = team[::-1] if len(set(team)) > 1 else [*team[:-1], "nobody"]
        assert STANDALONE.verify_assignment(section) != []
        assert verify_section(section) != []


def test_standalone_verifier_command_line(tmp_path):
    import subprocess
    import sys

    problem = symmetric_problem(tasks=3, officers=4)
    section = {"problem": problem.to_json(), "seed": SEED.hex(), "result": assign(problem, SEED).to_json()}
    path = tmp_path / "section.json"
    path.write_text(json.dumps(section, ensure_ascii=False), encoding="utf-8")
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_assignment.py"
    ok = subprocess.run([sys.executable, str(tool), str(path)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 3 teams")
    section["seed"] = "00" * 32
    path.write_text(json.dumps(section, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run([sys.executable, str(tool), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "DIFFERS" in bad.stdout


VECTORS = sorted((Path(__file__).resolve().parent / "vectors").glob("assignment-*.json"))


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_published_vectors_re_run_identically(path):
    """The vectors of docs/assignment-spec.md: a change of the algorithm must change its version."""
    section = json.loads(path.read_text(encoding="utf-8"))
    assert section["result"]["algorithm"] == "shuangsuiji-assign/1"
    assert STANDALONE.verify_assignment(section) == []
    assert verify_section(section) == []
    redrawn = assign(AssignmentProblem.from_json(section["problem"]), bytes.fromhex(section["seed"]))
    claimed = AssignmentResult.from_json(section["result"])
    assert redrawn.binding == claimed.binding
    if not claimed.substitutions:
        assert redrawn.teams == claimed.teams


def test_vectors_exist():
    assert {p.stem for p in VECTORS} >= {"assignment-small", "assignment-infeasible"}
