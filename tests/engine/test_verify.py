"""The two verifiers — the engine's and the standalone tools/verify_draw.py — agree, on valid manifests and on
every kind of tampering, and the standalone one needs nothing but the standard library."""

import ast
import copy
import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import assignment, canonical
from shuangsuiji.engine import manifest as m
from shuangsuiji.engine.sampling import Candidate

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest.json"
SEALED_VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest-sealed.json"


def _load_standalone():
    spec = importlib.util.spec_from_file_location("verify_draw_standalone", TOOLS / "verify_draw.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


standalone = _load_standalone()


def both(manifest, sealed=None) -> tuple[list[str], list[str]]:
    return m.verify(copy.deepcopy(manifest), sealed), standalone.verify_draw(copy.deepcopy(manifest), sealed)


def small_manifest(secret: bytes = bytes(range(32)), general: int = 3) -> dict:
    key = [Candidate(f"K{n:02d}", 1, n == 0) for n in range(10)]
    strata = [
        m.StratumInput("key", 4, key),
        m.StratumInput("joint", 1, [Candidate(c.id) for c in key], needs=m.Needs(departments=("大气", "水"))),
        m.StratumInput("general", general, [Candidate(f"G{n:02d}", 1 + n % 3) for n in range(12)], weighted=True),
    ]
    people = [assignment.Inspector(f"I{k:02d}", ("大气", "水")[k % 2], (), date(2024, 1, 1)) for k in range(10)]
    a = m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 4, people, recusals={"K02": ["I03"]})
    inputs = m.freeze(m.Plan("130602", "county", 2021, 3), m.PolicyRef("p", 1, "cd" * 32), strata, a)
    manifest = m.draw(inputs, secret, m.dice("362514", ["甲", "乙"]))
    closed = manifest["strata"][1]["selected"][0]["id"]
    return m.substitute(manifest, closed, "企业已关停")


def vector() -> dict:
    return json.loads(VECTOR.read_text(encoding="utf-8"))


def test_both_accept_the_vector_and_fresh_manifests():
    sealed = json.loads(SEALED_VECTOR.read_text(encoding="utf-8"))
    assert both(vector(), sealed) == ([], [])
    fresh = small_manifest()
    assert both(fresh, m.seal(fresh)) == ([], [])
    assert both(fresh, m.seal(fresh, disclose_selection=True)) == ([], [])
    for general in (0, 12):  # a weighted stratum that draws nobody, and one that takes everybody
        assert both(small_manifest(general=general)) == ([], [])


def first_drawn_team(manifest: dict) -> dict:
    return next(t for e in manifest["substitutions"] for t in e["teams"] if t["rule"] == "drawn")


def other_hex(value: str) -> str:
    """The same hex string with its last byte changed."""
    return value[:-2] + ("00" if value[-2:] != "00" else "01")


def swap_first_two(items: list) -> None:
    items[0], items[1] = items[1], items[0]


def rehash(manifest: dict) -> None:
    """A consistent fraud: the inputs hash is updated with the inputs."""
    manifest["inputs_hash"] = m.inputs_hash(manifest["inputs"])


def change_weight_and_rehash(manifest: dict) -> None:
    manifest["inputs"]["strata"][0]["targets"][0][1] += 1
    rehash(manifest)


def add_target_and_rehash(manifest: dict) -> None:
    manifest["inputs"]["strata"][0]["targets"].append(["ZZZZZZ", 1, 0])
    rehash(manifest)


TAMPERING: list[tuple[str, Callable[[dict], None], str]] = [
    ("changed secret", lambda v: v.update(secret=other_hex(v["secret"])), "commitment"),
    ("changed commitment", lambda v: v.update(commitment="11" * 32), "commitment"),
    ("changed public value", lambda v: v["public_value"].update(value=v["public_value"]["value"] + "1"), "seed"),
    ("changed public witnesses", lambda v: v["public_value"]["witnesses"].append("赵六"), "seed"),
    ("changed seed", lambda v: v.update(seed="22" * 32), "seed"),
    ("changed one selected id", lambda v: v["strata"][2]["selected"][3].update(id="91130602MA000119XX"), "selected"),
    ("swapped selection order", lambda v: swap_first_two(v["strata"][2]["selected"]), "selected"),
    ("changed a ticket", lambda v: v["strata"][2]["selected"][0].update(ticket="0.1"), "selected"),
    ("changed via", lambda v: v["strata"][2]["selected"][0].update(via="ticket"), "selected"),
    ("dropped a selected target", lambda v: v["strata"][3]["selected"].pop(), "selected"),
    ("changed a weight", lambda v: v["inputs"]["strata"][0]["targets"][0].__setitem__(1, 5), "inputs_hash"),
    ("changed a weight and the hash", change_weight_and_rehash, "seed"),
    ("added a target and the hash", add_target_and_rehash, "seed"),
    ("changed a probability", lambda v: v["strata"][0]["pps"]["probabilities"].__setitem__(0, "1/2"),
     "probabilit"),
    ("changed u", lambda v: v["strata"][0]["pps"].update(u="0" * 64), "u"),
    ("changed a quota", lambda v: v["strata"][1].update(quota=3), "quota"),
    ("changed a stratum seed", lambda v: v["strata"][1].update(seed="x"), "seed"),
    ("changed selection hash", lambda v: v.update(selection_hash="33" * 32), "selection_hash"),
    ("changed a team", lambda v: v["assignment"]["result"]["teams"][0]["members"][0].update(inspector="冀环执0014"),
     "assignment"),
    ("dropped a recusal from the problem", lambda v: v["assignment"]["problem"]["tasks"][0]["recusals"].append("x"),
     "assignment"),
    ("changed a replacement", lambda v: v["substitutions"][0]["replacements"][0].update(**{"in": "91130602MA000100XN"}),
     "substitution"),
    ("dropped the reason", lambda v: v["substitutions"][0].update(reason=""), "reason"),
    ("changed a carried team", lambda v: v["substitutions"][0]["teams"][0]["inspectors"].reverse(), "substitution"),
    ("changed a drawn team", lambda v: first_drawn_team(v)["assignment"]["result"]["teams"][0]["members"][0].update(
        inspector="冀环执0000"), "substitution"),
    ("dropped a substitution's team", lambda v: v["substitutions"][0]["teams"].pop(), "substitution"),
    ("extra key", lambda v: v.update(note="x"), "malformed"),
    ("a float", lambda v: v["strata"][1].update(quota=2.0), "malformed"),
    ("sealed state", lambda v: v.update(state="sealed"), "sealed"),
    ("wrong algorithm", lambda v: v.update(algorithm="shuangsuiji-draw/2"), "malformed"),
]


@pytest.mark.parametrize(("tamper", "keyword"), [(t, k) for _, t, k in TAMPERING], ids=[n for n, _, _ in TAMPERING])
def test_both_reject_tampering_and_say_where(tamper, keyword):
    manifest = vector()
    tamper(manifest)
    engine, tool = both(manifest)
    assert engine and tool
    assert keyword in " ".join(engine).lower() and keyword in " ".join(tool).lower(), (engine, tool)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.update(selection_hash="44" * 32),
        lambda s: s["public_value"].update(value="1"),
        lambda s: s.update(commitment="55" * 32),
        lambda s: s["strata"][0].update(quota=9),
        lambda s: s["plan"].update(quarter=4),
    ],
)
def test_both_hold_the_reveal_to_the_sealed_manifest(tamper):
    sealed = json.loads(SEALED_VECTOR.read_text(encoding="utf-8"))
    tamper(sealed)
    engine, tool = both(vector(), sealed)
    assert engine and tool
    assert all(line.startswith("sealed") for line in engine + [t.split(": ", 1)[0] for t in tool])


@st.composite
def random_strata(draw) -> list[m.StratumInput]:
    strata = []
    for name in draw(st.lists(st.sampled_from(["general", "joint", "key", "special", "重点"]), min_size=1,
                              max_size=4, unique=True)):
        size = draw(st.integers(0, 14))
        weighted = draw(st.booleans())
        rows = [Candidate(f"{name}-{n:02d}", draw(st.integers(1, 6)) if weighted else 1, draw(st.booleans()))
                for n in range(size)]
        musts = sum(c.must_include for c in rows)
        strata.append(m.StratumInput(name, draw(st.integers(musts, size)), rows, weighted))
    return strata


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=st.binary(min_size=32, max_size=32), strata=random_strata(), data=st.data())
def test_agreement_on_random_draws_and_random_tampering(secret, strata, data):
    inputs = m.freeze(m.Plan("130602", "city", 2021, 1), m.PolicyRef("p", 2, "ef" * 32), strata)
    manifest = m.draw(inputs, secret, m.lottery("福彩3D", date(2021, 3, 28), "4 0 9"))
    assert both(manifest) == ([], [])
    chosen = [s for s in manifest["strata"] if s["selected"]]
    if not chosen:
        return
    stratum = data.draw(st.sampled_from(chosen))
    position = data.draw(st.integers(0, len(stratum["selected"]) - 1))
    eligible = next(s for s in manifest["inputs"]["strata"] if s["name"] == stratum["name"])["targets"]
    taken = {p["id"] for p in stratum["selected"]}
    outsider = data.draw(st.sampled_from([t[0] for t in eligible if t[0] not in taken] or ["NOBODY"]))
    stratum["selected"][position]["id"] = outsider
    engine, tool = both(manifest)
    assert engine and tool


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=st.binary(min_size=32, max_size=32))
def test_agreement_with_an_inspector_pool_and_substitutions(secret):
    manifest = small_manifest(secret)
    assert both(manifest) == ([], [])
    closed = {event["out"] for event in manifest["substitutions"]}
    target = next(p["id"] for p in reversed(manifest["strata"][2]["selected"]) if p["id"] not in closed)
    again = m.substitute(manifest, target, "已注销")
    assert both(again) == ([], [])


def test_engine_command_line(tmp_path):
    good = tmp_path / "good.json"
    good.write_bytes(VECTOR.read_bytes())
    bad_manifest = vector()
    bad_manifest["secret"] = other_hex(bad_manifest["secret"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_manifest, ensure_ascii=False), encoding="utf-8")
    duplicated = tmp_path / "dup.json"
    duplicated.write_text('{"state": "revealed", "state": "sealed"}', encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "shuangsuiji.engine", "verify", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8")

    ok = run(good, "--sealed", SEALED_VECTOR)
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    differs = run(bad)
    assert differs.returncode == 1 and "DIFFERS: commitment" in differs.stdout
    assert run(duplicated).returncode == 2
    assert run(tmp_path / "missing.json").returncode == 2


def test_standalone_runs_with_the_standard_library_alone(tmp_path):
    for name in ("verify_draw.py", "verify_assignment.py"):
        shutil.copy(TOOLS / name, tmp_path / name)
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(VECTOR.read_bytes())
    # -I: no user site, no PYTHON* variables, no current directory on the path; -S: no site-packages at all
    command = [sys.executable, "-I", "-S", str(tmp_path / "verify_draw.py")]
    ok = subprocess.run([*command, str(manifest), "--sealed", str(SEALED_VECTOR), "--lang", "en"], cwd=tmp_path,
                        capture_output=True, text=True, encoding="utf-8")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK") and "sealed manifest agrees" in ok.stdout
    tampered = vector()
    tampered["strata"][2]["selected"].reverse()
    manifest.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    differs = subprocess.run([*command, str(manifest)], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8")
    assert differs.returncode == 1 and "stratum key: selected[0]" in differs.stdout
    assert subprocess.run([*command], cwd=tmp_path, capture_output=True).returncode == 2


def test_standalone_imports_only_the_standard_library():
    tree = ast.parse((TOOLS / "verify_draw.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module}
    assert imported - set(sys.stdlib_module_names) == {"verify_assignment"}


def test_standalone_shares_no_code_with_the_engine():
    # independent implementations: no engine function name or body is reused
    source = (TOOLS / "verify_draw.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    engine_names = set()
    for module in ("canonical", "tickets", "sampling", "manifest"):
        engine_tree = ast.parse((ROOT / "shuangsuiji" / "engine" / f"{module}.py").read_text(encoding="utf-8"))
        engine_names |= {node.name for node in ast.walk(engine_tree) if isinstance(node, ast.FunctionDef)}
    assert names & engine_names <= {"main"}
    assert "shuangsuiji" not in {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                                 for alias in node.names}


def test_canonical_encoders_agree():
    values = [vector(), {"控制": "\u0000\u001f\"\\\n", "emoji": "😀", "n": [0, -1, 10**30]}]
    for value in values:
        assert standalone.encode(value).encode("utf-8") == canonical.dumps(value)


def _nodes(value, path=()):
    """Every (path, container) in a JSON value."""
    if isinstance(value, dict):
        yield path, value
        for key, member in value.items():
            yield from _nodes(member, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for n, member in enumerate(value):
            yield from _nodes(member, (*path, n))


REPLACEMENTS = st.sampled_from(["", "x", 0, -1, 7, [], {}, ["x"], {"x": 1}])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_manifests_are_reported_never_crash(data):
    base = vector()
    manifest = copy.deepcopy(base)
    containers = [node for node in _nodes(manifest) if node[1]]
    path, container = data.draw(st.sampled_from(containers))
    key = data.draw(st.sampled_from(sorted(container) if isinstance(container, dict) else range(len(container))))
    if data.draw(st.booleans()):
        # dropping the last substitution event leaves the manifest as it was before that event: still valid
        assume(path != ("substitutions",))
        del container[key]
    else:
        container[key] = data.draw(REPLACEMENTS)
        # a reason is free text: another non-empty reason is a different record, not a broken one
        assume(key != "reason" or not isinstance(container[key], str) or not container[key].strip())
    assume(manifest != base)
    engine, tool = both(manifest)
    assert engine and tool, (path, key)


def test_standalone_reproduces_the_spec_vectors():
    vectors = json.loads((ROOT / "tests" / "engine" / "vectors" / "draw-vectors.json").read_text(encoding="utf-8"))
    first = vectors["rivest"]["first_fraction"]
    assert standalone.ticket(first["id"], first["seed"]) == first["output"]
    stratum = vectors["stratum_tickets"]
    assert all(standalone.ticket(e["id"], stratum["stratum_seed"]) == e["ticket"] for e in stratum["tickets"])
    ordered = [i for _, i in standalone.in_ticket_order([e["id"] for e in stratum["tickets"]], stratum["stratum_seed"])]
    assert ordered[:stratum["take"]] == stratum["drawn"]
    seed = vectors["seed"]
    assert standalone.seed_of(seed["inputs_hash"], seed["secret"], seed["public_value"]) == seed["seed"]
    for case in vectors["inclusion_probabilities"]:
        pis = standalone.probabilities(case["weights"], case["n"])
        assert [f"{p.numerator}/{p.denominator}" for p in pis] == case["probabilities"]
    for case in vectors["systematic"]:
        pis = [canonical.parse_fraction(p) for p in case["probabilities"]]
        assert standalone.systematic_positions(pis, canonical.parse_fraction(case["u"])) == case["selected"]
    for case in vectors["canonical"]:
        assert standalone.encode(case["value"]) == case["json"]


@pytest.mark.parametrize("day", ["2021-06-25\n", "2021-02-30", "２０２１-０６-２５"])
def test_a_lottery_date_that_is_no_real_day_is_refused_by_the_engine_and_both_verifiers(day, monkeypatch):
    """draw-spec §2: a date is ten ASCII characters naming a real day. The engine's check took a trailing newline
    (``$``), full-width digits (``\\d``) and 30 February, and the standalone verifier the last two: a manifest one
    verifier passed, the other refused."""
    inputs = m.freeze(m.Plan("130602", "city", 2021, 1), m.PolicyRef("p", 2, "ef" * 32),
                      [m.StratumInput("key", 1, [Candidate("K1"), Candidate("K2")])])
    value = {"kind": "lottery", "lottery": "福彩3D", "date": day, "value": "4 0 9"}
    with pytest.raises(m.DrawError, match="date"):
        m.draw(inputs, bytes(32), value)
    with monkeypatch.context() as patched:  # the manifest a lax engine would have written
        patched.setattr(m, "_is_day", lambda text: True)
        manifest = m.draw(inputs, bytes(32), value)
    engine, tool = both(manifest)
    assert any("date" in problem for problem in engine), engine
    assert any("date" in problem for problem in tool), tool
