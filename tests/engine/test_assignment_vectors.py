"""The standalone verifier agrees with the engine, the published vectors re-run, tickets are Rivest's.

``tools/verify_assignment.py`` is loaded from its file, as the public runs it; it must accept every
honest section the engine produces and reject every tampered one. The vectors of
docs/assignment-spec.md §11 are rebuilt here from their inputs: a change of the algorithm that moves a
single team fails this test, and must come with a new version string and new vectors
(``python tests/engine/test_assignment_vectors.py`` rewrites them).
"""

import ast
import contextlib
import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import consistent_sampler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.engine.assignment import (
    ALGORITHM,
    AssignmentError,
    Inspector,
    Problem,
    Task,
    assign,
    section,
    substitute,
    ticket,
    ticket_seed,
    verify,
)

HERE = Path(__file__).resolve().parent
TOOL = HERE.parents[1] / "tools" / "verify_assignment.py"
VECTORS = HERE / "vectors"


def load_standalone():
    spec = importlib.util.spec_from_file_location("verify_assignment", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STANDALONE = load_standalone()
seeds = st.binary(min_size=32, max_size=32)


def problems():
    # the generators of the property tests, loaded the same way so this module runs on its own
    spec = importlib.util.spec_from_file_location("assignment_properties", HERE / "test_assignment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return st.one_of(module.problems(), module.problems(lenient=True))


def both(data: dict) -> tuple[list[str], list[str]]:
    data = json.loads(json.dumps(data, ensure_ascii=False))
    return verify(data), STANDALONE.verify_assignment(data)


# --- agreement on honest and tampered sections ---------------------------------------------------


def tamperings(data: dict) -> list[dict]:
    """Ways to alter a published section, each of which must be caught."""
    altered = []

    def copy() -> dict:
        return json.loads(json.dumps(data, ensure_ascii=False))

    result = data["result"]
    if result["teams"]:
        first = result["teams"][0]
        names = [m["inspector"] for m in first["members"]]
        outsiders = [p["id"] for p in data["problem"]["inspectors"] if p["id"] not in names]
        if len(set(names)) > 1:
            swapped = copy()
            members = swapped["result"]["teams"][0]["members"]
            members[0]["inspector"], members[1]["inspector"] = members[1]["inspector"], members[0]["inspector"]
            altered.append(swapped)
        for outsider in outsiders[:2]:
            replaced = copy()
            replaced["result"]["teams"][0]["members"][-1]["inspector"] = outsider
            altered.append(replaced)
        dropped = copy()
        del dropped["result"]["teams"][-1]
        altered.append(dropped)
        recused = copy()
        task = next(t for t in recused["problem"]["tasks"] if t["id"] == first["task"])
        task["recusals"] = sorted({*task["recusals"], names[0]})
        altered.append(recused)
        capped = copy()
        capped["result"]["load_cap"] += 1
        altered.append(capped)
    if result["bindings"]:
        fewer = copy()
        fewer["result"]["bindings"][0]["available"] += 1
        altered.append(fewer)
        hidden = copy()
        del hidden["result"]["bindings"][0]
        altered.append(hidden)
    if result["substitutions"]:
        chosen = copy()
        record = chosen["result"]["substitutions"][0]
        team = next(t for t in chosen["result"]["teams"] if t["task"] == record["task"])
        others = [p["id"] for p in chosen["problem"]["inspectors"]
                  if p["id"] not in {m["inspector"] for m in team["members"]} | {record["out"]}]
        if others:
            record["in"] = others[0]
            team["members"][record["slot"]]["inspector"] = others[0]
            altered.append(chosen)
    reseeded = copy()
    reseeded["seed"] = "f" * 64 if data["seed"] != "f" * 64 else "0" * 64
    problem = Problem.from_json(data["problem"])
    if assign(problem, reseeded["seed"]).teams != assign(problem, data["seed"]).teams:
        altered.append(reseeded)
    return altered


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), seeds, st.data())
def test_the_standalone_verifier_agrees_with_the_engine(problem, seed, data):
    result = assign(problem, seed)
    if result.teams:
        for _ in range(data.draw(st.integers(0, 2))):
            task = data.draw(st.sampled_from(result.teams))
            out = data.draw(st.sampled_from(task.inspectors))
            with contextlib.suppress(AssignmentError):  # nobody left to step in: the draw stands
                result = substitute(problem, result, task.task, out, seed)
    honest = section(problem, seed, result)
    assert both(honest) == ([], [])
    for forged in tamperings(honest):
        engine, standalone = both(forged)
        assert engine and standalone, forged


def test_malformed_sections_are_refused_by_both():
    problem = Problem(date(2021, 6, 24), (Task("T", date(2021, 9, 30)),),
                      tuple(Inspector(f"I{n}", "大气", (), date(2030, 1, 1)) for n in range(3)), 2)
    good = section(problem, bytes(32), assign(problem, bytes(32)))
    broken = [
        {**good, "algorithm": "shuangsuiji-assignment/0"},
        {**good, "seed": "XYZ"},
        {**good, "extra": 1},
        {**good, "problem": {**good["problem"], "max_load": True}},
        {**good, "result": {**good["result"], "load_cap": "1"}},
    ]
    for data in broken:
        engine, standalone = both(data)
        assert engine and standalone


def test_the_standalone_verifier_uses_only_the_standard_library():
    tree = ast.parse(TOOL.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names), imported


def test_command_line(tmp_path):
    problem = Problem(date(2021, 6, 24), tuple(Task(f"T{n}", date(2021, 9, 30)) for n in range(3)),
                      tuple(Inspector(f"I{n}", "大气", (), date(2030, 1, 1)) for n in range(4)), 3)
    data = section(problem, bytes(32), assign(problem, bytes(32)))
    path = tmp_path / "section.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 3 teams"), ok.stdout
    path.write_text(json.dumps({**data, "seed": "1" * 64}), encoding="utf-8")
    bad = subprocess.run([sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "DIFFERS" in bad.stdout and "re-run" in bad.stdout
    path.write_text("{not json", encoding="utf-8")
    unreadable = subprocess.run([sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False)
    assert unreadable.returncode == 2


# --- tickets -------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(seeds, st.text(min_size=1).filter(lambda s: "/" not in s), st.text(min_size=1))
def test_tickets_are_rivest_first_fractions(seed, task_id, inspector_id):
    expected = consistent_sampler.first_fraction(f"{task_id}/{inspector_id}", ticket_seed(seed))
    assert ticket(seed, task_id, inspector_id) == expected
    assert STANDALONE.first_fraction(f"{task_id}/{inspector_id}", ticket_seed(seed)) == expected


def test_a_substitution_can_be_checked_with_the_consistent_sampler_package():
    people = tuple(Inspector(f"13060{n:03d}", "执法支队", (), date(2030, 1, 1)) for n in range(8))
    problem = Problem(date(2021, 6, 24), (Task("91130600MA0000001X", date(2021, 9, 30)),), people, 1)
    seed = bytes(range(32))
    result = assign(problem, seed)
    team = result.teams[0].inspectors
    replaced = substitute(problem, result, "91130600MA0000001X", team[0], seed)
    ids = [f"91130600MA0000001X/{p.id}" for p in people if p.id not in team]
    first = next(iter(consistent_sampler.sampler(ids, seed=ticket_seed(seed), take=1, with_replacement=False)))
    assert replaced.substitutions[0].into == first[1].split("/")[1]


# --- the published vectors -----------------------------------------------------------------------

DRAW = date(2021, 6, 24)
DEADLINE = date(2021, 9, 30)
VECTOR_SEED = "5d1c3f6e0a9b8c7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a0b2c4d6e8f0a1b3c5d"


def joint_section() -> dict:
    """Joint tasks, specialties, an invited expert, recusals, an expired certificate, leave, recent pairs
    and one substitution (the first member of the first task falls ill)."""
    people = (
        Inspector("130600001", "大气环境处", ("VOCs",), date(2030, 1, 1)),
        Inspector("130600002", "大气环境处", (), date(2025, 6, 30)),
        Inspector("130600003", "水生态环境处", ("污水处理",), date(2030, 1, 1)),
        Inspector("130600004", "水生态环境处", (), date(2021, 9, 29)),
        Inspector("130600005", "辐射安全管理处", ("辐射",), date(2030, 1, 1)),
        Inspector("130600006", "综合执法支队", ("危险废物",), date(2030, 1, 1)),
        Inspector("130600007", "综合执法支队", (), date(2030, 1, 1), status="on_leave"),
        Inspector("130600008", "综合执法支队", ("在线监测",), date(2030, 1, 1)),
        Inspector("130600009", "综合执法支队", (), date(2030, 1, 1)),
        Inspector("E-0001", "专家库", ("辐射",), None, expert=True),
    )
    tasks = (
        Task("91130600MA07L0XA1C", DEADLINE, departments=("大气环境处", "水生态环境处")),
        Task("91130602MA0CKR6R3B", DEADLINE, specialties=("危险废物",), recusals=("130600009",)),
        Task("91130604MA0D2Y5U0T", DEADLINE, departments=("辐射安全管理处",), expert_specialties=("辐射",)),
        Task("91130605MA0F1E0K7P", DEADLINE, team_size=3),
        Task("91130606MA0G9LWM4H", date(2021, 8, 31), specialties=("在线监测",)),
        Task("91130607MA0H2P3Q5R", DEADLINE),
    )
    problem = Problem(DRAW, tasks, people, 3, (("130600001", "130600003"), ("130600006", "130600008")))
    result = assign(problem, VECTOR_SEED)
    result = substitute(problem, result, tasks[0].id, result.teams[0].inspectors[0], VECTOR_SEED)
    return section(problem, VECTOR_SEED, result)


def infeasible_section() -> dict:
    """Four independent obstacles: a specialty nobody has, a department too small for its joint tasks,
    too few specialists for their tasks, too few experts for one team."""
    people = (
        Inspector("R1", "辐射安全管理处", (), date(2030, 1, 1)),
        Inspector("H1", "综合执法支队", ("危险废物",), date(2030, 1, 1)),
        *(Inspector(f"P{n}", "综合执法支队", (), date(2030, 1, 1)) for n in range(8)),
        Inspector("N1", "专家库", ("噪声",), None, expert=True),
    )
    tasks = (
        *(Task(f"J{n}", DEADLINE, departments=("辐射安全管理处", "综合执法支队")) for n in range(3)),
        *(Task(f"W{n}", DEADLINE, specialties=("危险废物",)) for n in range(3)),
        Task("X", DEADLINE, specialties=("土壤",)),
        Task("Y", DEADLINE, expert_specialties=("噪声", "噪声")),
    )
    problem = Problem(DRAW, tasks, people, 2)
    return section(problem, VECTOR_SEED, assign(problem, VECTOR_SEED))


def ticket_vectors() -> list[dict]:
    cases = [(bytes(32).hex(), "91130600MA07L0XA1C", "130600001"),
             (VECTOR_SEED, "91130600MA07L0XA1C", "130600001"),
             (VECTOR_SEED, "91130600MA07L0XA1C", "冀执0001"),
             ("f" * 64, "T", "I")]
    return [{"seed": seed, "ticket_seed": ticket_seed(seed), "id": f"{task}/{person}",
             "ticket": ticket(seed, task, person)} for seed, task, person in cases]


BUILT = {"assignment-joint.json": joint_section, "assignment-infeasible.json": infeasible_section,
         "assignment-tickets.json": ticket_vectors}


def test_vectors_are_what_the_algorithm_gives():
    for name, build in BUILT.items():
        published = json.loads((VECTORS / name).read_text(encoding="utf-8"))
        assert published == json.loads(json.dumps(build(), ensure_ascii=False)), (
            f"{name} changed: a new algorithm needs a new version string in docs/assignment-spec.md")


def test_section_vectors_verify_with_both():
    for name in ("assignment-joint.json", "assignment-infeasible.json"):
        data = json.loads((VECTORS / name).read_text(encoding="utf-8"))
        assert data["algorithm"] == ALGORITHM
        assert both(data) == ([], [])
    joint = json.loads((VECTORS / "assignment-joint.json").read_text(encoding="utf-8"))
    assert len(joint["result"]["substitutions"]) == 1
    kinds = [b["kind"] for b in json.loads((VECTORS / "assignment-infeasible.json").read_text())["result"]["bindings"]]
    assert sorted(kinds) == ["department", "no_candidate", "specialty", "team"]


def test_ticket_vectors():
    for case in json.loads((VECTORS / "assignment-tickets.json").read_text(encoding="utf-8")):
        assert consistent_sampler.first_fraction(case["id"], case["ticket_seed"]) == case["ticket"]
        assert STANDALONE.first_fraction(case["id"], case["ticket_seed"]) == case["ticket"]


if __name__ == "__main__":
    for filename, builder in BUILT.items():
        text = json.dumps(builder(), ensure_ascii=False, indent=1, sort_keys=True)
        (VECTORS / filename).write_text(text + "\n", encoding="utf-8")
