"""The draw and its manifest: canonical inputs, commitment, seed, strata, assignment, substitution, sealing."""

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import assignment, canonical, policy, quotas
from shuangsuiji.engine import manifest as m
from shuangsuiji.engine.canonical import CanonicalError
from shuangsuiji.engine.sampling import Candidate, DrawError

ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = ROOT / "tests" / "engine" / "vectors"
VECTORS = json.loads((VECTORS_DIR / "draw-vectors.json").read_text(encoding="utf-8"))
SECRET = bytes(range(32))
PUBLIC = m.dice("5523146", ["李四", "张三"])
PLAN = m.Plan("130602", "county", 2021, 3)
POLICY = m.PolicyRef("baoding-2021", 1, "ab" * 32)
DEPARTMENTS = ("大气环境处", "水生态环境处")


def pool(n: int = 12) -> list[assignment.Inspector]:
    return [assignment.Inspector(f"I{k:02d}", DEPARTMENTS[k % 2], ("在线监测",) if k % 3 == 0 else (),
                                 date(2024, 12, 31)) for k in range(n)]


def make_inputs(keys: int = 16, generals: int = 24, recusals: dict | None = None) -> dict:
    return m.freeze(PLAN, POLICY, *_strata_and_pool(keys, generals, recusals))


def make_frozen(keys: int = 16, generals: int = 24) -> m.FrozenInputs:
    """The inputs of ``make_inputs``, as ``freeze_inputs`` gives them for a draw in the same process."""
    return m.freeze_inputs(PLAN, POLICY, *_strata_and_pool(keys, generals, None))


def _strata_and_pool(keys: int, generals: int, recusals: dict | None) -> tuple[list, m.AssignmentInputs]:
    key = [Candidate(f"K{n:03d}", 1, n < 2) for n in range(keys)]
    strata = [
        m.StratumInput("key", 6, key),
        m.StratumInput("joint", 2, [Candidate(c.id) for c in key], needs=m.Needs(departments=DEPARTMENTS)),
        m.StratumInput("general", 5, [Candidate(f"G{n:03d}", 1 + n % 4) for n in range(generals)], weighted=True),
        m.StratumInput("special", 2, [Candidate(f"S{n:03d}") for n in range(4)],
                       needs=m.Needs(specialties=("在线监测",))),
    ]
    a = m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 5, pool(),
                           recusals=recusals if recusals is not None else {"K003": ["I01"]})
    return strata, a


# --- canonical JSON --------------------------------------------------------------------------------


def test_canonical_vectors():
    for case in VECTORS["canonical"]:
        assert canonical.dumps(case["value"]).decode("utf-8") == case["json"]


@pytest.mark.parametrize("value", [1.5, True, None, {"a": False}, ["e\u0301"], {"e\u0301": 1}, {1: "a"}, "\ud800"])
def test_canonical_rejects_what_has_no_canonical_form(value):
    with pytest.raises(CanonicalError):
        canonical.dumps(value)


def test_fractions_round_trip_only_in_lowest_terms():
    assert canonical.parse_fraction("2/15") == canonical.parse_fraction("2/15")
    for bad in ("4/30", "1/0", "01/3", "1.5", "1", "-1/2"):
        with pytest.raises((CanonicalError, ZeroDivisionError)):
            canonical.parse_fraction(bad)


# --- inputs ----------------------------------------------------------------------------------------


def test_freeze_normalises_and_orders():
    decomposed = m.freeze(m.Plan("130602", "county", 2021, 3), POLICY, [
        m.StratumInput("special", 1, [Candidate("b"), Candidate("a")]),
        m.StratumInput("key", 1, [Candidate("企业\u0065\u0301"), Candidate("c", 1, True)]),
    ])
    assert [s["name"] for s in decomposed["strata"]] == ["key", "special"]
    assert [t[0] for t in decomposed["strata"][0]["targets"]] == ["c", "企业é"]
    assert [t[0] for t in decomposed["strata"][1]["targets"]] == ["a", "b"]
    assert decomposed["strata"][0]["targets"][0] == ["c", 1, 1]


def test_inputs_hash_is_independent_of_the_order_of_the_data():
    first = make_inputs()
    shuffled_pool = list(reversed(pool()))
    key = [Candidate(f"K{n:03d}", 1, n < 2) for n in reversed(range(16))]
    strata = [
        m.StratumInput("special", 2, [Candidate(f"S{n:03d}") for n in range(4)],
                       needs=m.Needs(specialties=("在线监测",))),
        m.StratumInput("general", 5, [Candidate(f"G{n:03d}", 1 + n % 4) for n in range(24)], weighted=True),
        m.StratumInput("joint", 2, [Candidate(c.id) for c in key],
                       needs=m.Needs(departments=tuple(reversed(DEPARTMENTS)))),
        m.StratumInput("key", 6, key),
    ]
    a = m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 5, shuffled_pool, recusals={"K003": ["I01"]})
    assert m.inputs_hash(m.freeze(PLAN, POLICY, strata, a)) == m.inputs_hash(first)
    assert m.inputs_hash(make_inputs(recusals={})) != m.inputs_hash(first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda i: i["plan"].update(level="province"), "level"),
        (lambda i: i["plan"].update(quarter=5), "quarter"),
        (lambda i: i["plan"].update(sequence=2), "re-draw"),
        (lambda i: i["policy"].update(fingerprint="xyz"), "fingerprint"),
        (lambda i: i["strata"].reverse(), "sorted by name"),
        (lambda i: i["strata"][0]["targets"].reverse(), "sorted"),
        (lambda i: i["strata"][0]["targets"][0].__setitem__(1, 0), "weight"),
        (lambda i: i["strata"][1]["targets"][0].__setitem__(1, 2), "unweighted"),
        (lambda i: i["strata"][1].update(quota=99), "quota"),
        (lambda i: i["strata"][1]["targets"][0].__setitem__(2, True), "must_include"),
        (lambda i: i["strata"][1]["targets"][0].__setitem__(2, 2), "must-include"),
        (lambda i: i["strata"][1]["targets"][0].append(1), r"\[id, weight, must_include\]"),
        (lambda i: i["assignment"].update(deadline="2021-01-01"), "deadline"),
        (lambda i: i["assignment"]["inspectors"].reverse(), "canonical form"),
        (lambda i: i["assignment"]["recusals"].update(K004=[]), "empty"),
        (lambda i: i["assignment"]["inspectors"][0].update(department="e\u0301"), "NFC"),
        (lambda i: i["strata"][0]["needs"]["departments"].append("e\u0301"), "NFC"),
        (lambda i: i["plan"].update(jurisdiction="e\u0301"), "NFC"),
        (lambda i: i.update(extra=1), "unexpected keys"),
    ],
)
def test_invalid_inputs_are_refused_by_name(change, message):
    inputs = make_inputs()
    change(inputs)
    with pytest.raises((DrawError, CanonicalError), match=message):
        m.draw(inputs, SECRET, PUBLIC)


def test_a_redraw_names_what_it_supersedes():
    first = make_inputs()
    reason = "执法人员名录有误，经局长批准重新抽取"
    redraw = m.freeze(m.Plan("130602", "county", 2021, 3, 2, m.inputs_hash(first), reason), POLICY,
                      [m.StratumInput("key", 1, [Candidate("a"), Candidate("b")])])
    assert redraw["plan"]["supersedes"] == m.inputs_hash(first)
    with pytest.raises(DrawError, match="re-draw"):
        m.freeze(m.Plan("130602", "county", 2021, 3, 2, m.inputs_hash(first), " "), POLICY,
                 [m.StratumInput("key", 1, [Candidate("a")])])


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.text("ab1", max_size=4), unique=True, max_size=30).map(tuple), data=st.data())
def test_the_strata_weights_are_each_ids_whatever_the_order_of_the_mapping(ids, data):
    # the weights are taken as the mapping's values when its keys are the ids in their order: the same list
    weights = {id: data.draw(st.integers(1, 9)) for id in ids}
    expected = [weights[id] for id in ids]
    assert m._weights_of(weights, ids) == expected
    shuffled = dict(data.draw(st.permutations(list(weights.items()))))
    assert m._weights_of(shuffled, ids) == expected
    extra = {**shuffled, "z" * 5: 3}
    assert m._weights_of(extra, ids) == expected
    assert m._weights_of(dict(reversed(list(extra.items()))), ids) == expected
    if ids:
        missing = dict(list(weights.items())[:-1])
        with pytest.raises(KeyError):
            m._weights_of(missing, ids)
        renamed = {**dict(list(weights.items())[:-1]), "x" * 5: 1}  # as many keys, one not an id
        with pytest.raises(KeyError):
            m._weights_of(renamed, ids)


def test_strata_from_quotas_meet_the_policy():
    baoding = policy.load(ROOT / "policies" / "baoding-2021.toml")
    facts = [quotas.TargetFacts(f"K{n:03d}", "key", last_on_site_inspection=date(2021, 2, 1) if n % 3 else None)
             for n in range(30)]
    facts += [quotas.TargetFacts(f"S{n:03d}", "special") for n in range(7)]
    facts += [quotas.TargetFacts(f"G{n:03d}", "general") for n in range(200)]
    computed = quotas.compute_quotas(baoding, facts, inspectors=6, level="county", year=2021, quarter=2)
    strata = m.strata_from_quotas(computed, take={"general": 20}, weights={"general": {
        f"G{n:03d}": 1 + n % 3 for n in range(200)}})
    inputs = m.freeze(PLAN, m.PolicyRef.of(baoding), strata)
    manifest = m.draw(inputs, SECRET, PUBLIC)
    assert inputs["policy"] == {"id": baoding.id, "version": baoding.version, "fingerprint": baoding.fingerprint}
    for quota, record in zip(sorted(computed.quotas, key=lambda q: q.stratum), manifest["strata"], strict=True):
        ids = [p["id"] for p in record["selected"]]
        assert len(ids) == (20 if quota.stratum == "general" else quota.minimum) == len(set(ids))
        assert set(quota.must_include) <= set(ids)
    # second quarter of the half-year: every key unit not inspected since January is must-include
    assert {p["id"] for p in manifest["strata"][2]["selected"] if p["via"] == "must"} == {
        f"K{n:03d}" for n in range(0, 30, 3)}
    assert manifest["strata"][0]["weighted"] == 1 and "pps" in manifest["strata"][0]


# --- commitment, public value, seed ---------------------------------------------------------------


def test_seed_vector():
    vector = VECTORS["seed"]
    public = vector["public_value"]
    assert canonical.dumps(public).decode("utf-8") == vector["public_value_canonical"]
    secret = bytes.fromhex(vector["secret"])
    preimage = bytes.fromhex(vector["seed_preimage_hex"])
    assert len(preimage) == 115 and preimage.startswith(b"shuangsuiji-draw/1\x00")
    assert hashlib.sha256(preimage).hexdigest() == vector["seed"]
    assert m.derive_seed(vector["inputs_hash"], secret, public) == vector["seed"]


def test_secret_and_commitment():
    secret = m.new_secret()
    assert len(secret) == 32 and secret != m.new_secret()
    assert m.commitment(secret) == hashlib.sha256(secret).hexdigest()
    with pytest.raises(DrawError):
        m.derive_seed("00" * 32, b"short", PUBLIC)


def test_public_values():
    assert m.dice("123", ["b", "a", "b"])["witnesses"] == ["a", "b"]
    assert m.lottery("福彩双色球", date(2021, 6, 27), "03 11 19 25 28 33+07")["date"] == "2021-06-27"
    assert m.drand("AB" * 32, 5, "CD" * 32) == {"kind": "drand", "value": "cd" * 32, "chain": "ab" * 32, "round": 5}
    for bad in (lambda: m.dice("12a", ["x"]), lambda: m.dice("12", []), lambda: m.drand("ab" * 32, 0, "cd" * 32),
                lambda: m.drand("ab", 1, "cd" * 32), lambda: m.lottery("", date(2021, 1, 1), "1")):
        with pytest.raises(DrawError):
            bad()


@settings(max_examples=30, deadline=None)
@given(secret=st.binary(min_size=32, max_size=32), digits=st.text(alphabet="123456", min_size=1, max_size=20))
def test_each_ingredient_changes_the_seed(secret, digits):
    public = m.dice(digits, ["甲"])
    seed = m.derive_seed("11" * 32, secret, public)
    assert m.derive_seed("12" * 32, secret, public) != seed
    assert m.derive_seed("11" * 32, bytes(b ^ 1 for b in secret), public) != seed
    assert m.derive_seed("11" * 32, secret, m.dice(digits + "1", ["甲"])) != seed
    assert m.derive_seed("11" * 32, secret, m.dice(digits, ["乙"])) != seed


# --- the draw --------------------------------------------------------------------------------------


def test_draw_is_deterministic_and_complete():
    inputs = make_inputs()
    manifest = m.draw(inputs, SECRET, PUBLIC)
    assert m.draw(json.loads(json.dumps(inputs)), SECRET, PUBLIC) == manifest
    assert manifest["seed"] == m.derive_seed(m.inputs_hash(inputs), SECRET, PUBLIC)
    assert manifest["commitment"] == m.commitment(SECRET) and manifest["secret"] == SECRET.hex()
    by_name = {s["name"]: s for s in manifest["strata"]}
    assert [len(by_name[n]["selected"]) for n in ("general", "joint", "key", "special")] == [5, 2, 6, 2]
    assert [p["via"] for p in by_name["key"]["selected"][:2]] == ["must", "must"]
    assert {p["id"] for p in by_name["key"]["selected"][:2]} == {"K000", "K001"}
    # the public can re-draw any unweighted stratum with the package itself
    others = [id for id, _, must in inputs["strata"][2]["targets"] if not must]
    assert [p["id"] for p in by_name["key"]["selected"][2:]] == list(consistent_sampler.sampler(
        others, seed=by_name["key"]["seed"], take=4, with_replacement=False, output="id"))
    assert all(p["ticket"] == consistent_sampler.first_fraction(p["id"], by_name["key"]["seed"])
               for p in by_name["key"]["selected"])
    published = by_name["general"]["pps"]["probabilities"]
    ids = [t[0] for t in next(s for s in inputs["strata"] if s["name"] == "general")["targets"]]
    probabilities = {id: canonical.parse_fraction(pi) for id, pi in zip(ids, published, strict=True)}
    assert sum(probabilities.values()) == 5 and len(probabilities) == 24
    assert all(p > 0 for p in probabilities.values())
    canonical.check(manifest)
    assert m.verify(manifest) == []


def test_frozen_inputs_are_the_frozen_inputs_checked_written_and_hashed_once():
    inputs = make_inputs()
    frozen = make_frozen()
    assert frozen.value() == inputs and frozen.canonical == canonical.dumps(inputs)
    assert frozen.digest == m.inputs_hash(inputs)
    expected = m.draw(inputs, SECRET, PUBLIC)
    manifest, data = m.draw_canonical(frozen, SECRET, PUBLIC)
    assert manifest == expected and data == canonical.dumps(expected)
    assert m.draw_canonical(inputs, SECRET, PUBLIC) == (expected, data)
    # The first draw took the checked value into its manifest: what its caller does to that manifest is no
    # concern of a later draw of the same frozen inputs, which parses the bytes and reads them strictly.
    manifest["inputs"]["strata"][0]["targets"].reverse()
    manifest["inputs"]["assignment"]["recusals"].clear()
    assert m.draw(frozen, SECRET, PUBLIC) == expected


def test_frozen_inputs_cannot_be_made_or_changed_but_by_the_freeze():
    frozen = make_frozen()
    with pytest.raises(TypeError):
        m.FrozenInputs(canonical.dumps({"a": 1}), "00" * 32, [], object())
    with pytest.raises(AttributeError):
        frozen.canonical = b"{}"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        frozen.digest = "00" * 32  # type: ignore[misc]
    value = frozen.value()
    value["strata"].reverse()  # a copy: the frozen inputs are unchanged
    assert m.draw(frozen, SECRET, PUBLIC) == m.draw(make_inputs(), SECRET, PUBLIC)


def test_a_draw_refused_at_the_start_leaves_the_frozen_inputs_to_the_next_draw():
    frozen = make_frozen()
    with pytest.raises(DrawError):
        m.draw(frozen, SECRET, {"kind": "dice", "value": "x", "witnesses": []})
    with pytest.raises(DrawError):
        m.draw(frozen, b"short", PUBLIC)
    with pytest.raises(DrawError):
        m.draw(frozen, SECRET, PUBLIC, published="00" * 32)
    assert frozen._held  # not taken by a draw that could not start
    assert m.draw(frozen, SECRET, PUBLIC)["inputs_hash"] == frozen.digest


def test_the_draw_is_refused_unless_the_inputs_hash_to_the_published_hash():
    inputs = make_inputs()
    published = m.inputs_hash(inputs)
    assert m.draw(inputs, SECRET, PUBLIC, published=published) == m.draw(inputs, SECRET, PUBLIC)
    assert m.draw(make_frozen(), SECRET, PUBLIC, published=published)["inputs_hash"] == published
    changed = make_inputs(recusals={})  # valid inputs, but not those published
    for other in (changed, make_frozen(generals=25)):
        with pytest.raises(DrawError, match="published at the freeze"):
            m.draw(other, SECRET, PUBLIC, published=published)


def test_invalid_strata_are_refused_by_freeze_inputs_too():
    with pytest.raises(DrawError, match="quota"):
        m.freeze_inputs(PLAN, POLICY, [m.StratumInput("key", 3, [Candidate("a"), Candidate("b")])])


_NAMES = st.text(alphabet="AZ09企业厂é\u0301ÅＡ", min_size=1, max_size=6)
"""Ids and names with non-ASCII text, some of it decomposed (e + U+0301), which freeze writes in NFC."""


@settings(max_examples=40, deadline=None)
@given(
    key=st.lists(_NAMES, min_size=1, max_size=14, unique=True),
    general=st.dictionaries(_NAMES, st.integers(1, 9), min_size=1, max_size=14),
    take=st.data(),
    people=st.integers(0, 8),
    department=_NAMES,
    secret=st.binary(min_size=32, max_size=32),
    substitute=st.booleans(),
)
def test_every_draw_writes_a_canonical_manifest(key, general, take, people, department, secret, substitute):
    """What the draw returns is canonical as it stands: the engine benchmark (and anyone storing it) writes
    its bytes without checking its values again, so no draw — feasible or not, non-ASCII ids, PPS
    fractions, binding messages, substitutions — may produce a value without a canonical form."""
    key_ids = sorted({canonical.nfc("K" + k) for k in key})
    general_ids = {canonical.nfc("G" + g): w for g, w in general.items()}
    strata = [
        m.StratumInput("key", take.draw(st.integers(1, len(key_ids))),
                       [Candidate(id, 1, n == 0) for n, id in enumerate(key_ids)]),
        m.StratumInput("一般", take.draw(st.integers(0, len(general_ids))),
                       [Candidate(id, w) for id, w in general_ids.items()], weighted=True,
                       needs=m.Needs(departments=(department, "大气环境处"))),
    ]
    inspectors = [assignment.Inspector(f"执法{k}", (department, "大气环境处")[k % 2], ("在线监测",),
                                       date(2024, 12, 31)) for k in range(people)]
    inputs = m.freeze(PLAN, POLICY, strata, m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 3,
                                                               inspectors, recusals={key_ids[0]: ["执法0"]}))
    manifest = m.draw(inputs, secret, PUBLIC)
    canonical.check(manifest)
    assert canonical.dumps(manifest, check_first=False) == canonical.dumps(manifest)
    selected = [p["id"] for p in manifest["strata"][0]["selected"] if p["via"] == "ticket"]
    if substitute and selected:
        canonical.check(m.substitute(manifest, selected[0], "企业关闭"))


def test_a_different_public_value_or_secret_gives_a_different_draw():
    inputs = make_inputs(keys=40, generals=60)
    base = m.draw(inputs, SECRET, PUBLIC)
    other_public = m.draw(inputs, SECRET, m.dice("5523147", ["李四", "张三"]))
    other_secret = m.draw(inputs, bytes(31) + b"\x01", PUBLIC)
    for other in (other_public, other_secret):
        assert other["seed"] != base["seed"]
        assert other["selection_hash"] != base["selection_hash"]


def test_assignment_covers_every_selected_target_with_merged_needs():
    manifest = m.draw(make_inputs(), SECRET, PUBLIC)
    section = manifest["assignment"]
    selected = {p["id"] for s in manifest["strata"] for p in s["selected"]}
    tasks = {t["id"]: t for t in section["problem"]["tasks"]}
    assert set(tasks) == selected
    joint = {p["id"] for p in manifest["strata"][1]["selected"]}
    for id, task in tasks.items():
        assert task["departments"] == (list(DEPARTMENTS) if id in joint else [])
        assert task["specialties"] == (["在线监测"] if id.startswith("S") else [])
        assert task["recusals"] == (["I01"] if id == "K003" else [])
        assert task["deadline"] == "2021-09-30" and task["team_size"] == 2
    assert section["seed"] == manifest["seed"]
    assert assignment.Problem.from_json(section["problem"]).to_json() == section["problem"]  # canonical form
    teams = {t["task"]: [x["inspector"] for x in t["members"]] for t in section["result"]["teams"]}
    assert set(teams) == selected
    assert assignment.verify(section) == []


@pytest.mark.parametrize("musts", [[0, 1, 0, 1], [False, True, False, True], [0, 2, "", "x"]])
def test_target_columns_freeze_as_the_tuples_do(musts):
    # strata_from_quotas gives its strata as columns; the freeze writes them as it writes the same tuples,
    # ids out of order or not in NFC, flags that are not 0 and 1 included, and checks them alike
    ids, weights = ["K9", "Ke\u0301", "K1", "K5"], [1, 2, 3, 1]
    frozen = []
    for targets in (m.TargetColumns(ids, weights, musts), list(zip(ids, weights, musts, strict=True))):
        frozen.append(m.freeze_inputs(PLAN, POLICY, [m.StratumInput("general", 3, targets, weighted=True)]))
    assert frozen[0].canonical == frozen[1].canonical
    assert frozen[0].value()["strata"][0]["targets"] == [["K1", 3, 0], ["K5", 1, 1], ["K9", 1, 0], ["Ké", 2, 1]]
    assert m.draw(frozen[0], SECRET, PUBLIC) == m.draw(frozen[1], SECRET, PUBLIC)
    for bad_ids, bad_weights, message in ((ids, [1, 0, 1, 1], "weight 0"),
                                          (["K1", "K1", "K2", "K3"], weights, "K1 is listed twice")):
        for targets in (m.TargetColumns(bad_ids, bad_weights, musts),
                        list(zip(bad_ids, bad_weights, musts, strict=True))):
            with pytest.raises(DrawError, match=message):
                m.freeze_inputs(PLAN, POLICY, [m.StratumInput("general", 3, targets, weighted=True)])
    with pytest.raises(ValueError, match="differ in number"):
        m.TargetColumns(ids, weights, musts[:3])
    assert list(m.TargetColumns(ids, weights, musts)) == list(zip(ids, weights, musts, strict=True))


def test_the_draws_tasks_are_checked_as_the_problem_checks_them():
    # A draw's tasks join its pool by whole-list checks (assignment._with_tasks); what fails one goes through
    # Problem, which refuses it in its own words: a target id with "/" passes the freeze but names no task.
    inputs = m.freeze(PLAN, POLICY, [m.StratumInput("key", 2, [Candidate("K/1"), Candidate("K2")])],
                      m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 5, pool()))
    with pytest.raises(assignment.AssignmentError, match="task id 'K/1' must be non-empty and free of '/'"):
        m.draw(inputs, SECRET, PUBLIC)
    problem = m._read_inputs(make_inputs()).pool
    tasks = tuple(assignment.Task(f"T{k}", date(2021, 9, 30), 2, DEPARTMENTS) for k in range(3))
    assert assignment._with_tasks(problem, tasks) == replace(problem, tasks=tasks)
    assert assignment._with_tasks(problem, tasks).tasks is tasks
    assert assignment._with_tasks(problem, tasks[::-1]).tasks == tasks  # out of id order: sorted by Problem
    for refused in ((*tasks, tasks[0]), (replace(tasks[0], id=""),), (replace(tasks[0], team_size=1),),
                    (replace(tasks[0], deadline=date(2021, 6, 23)),)):
        with pytest.raises(assignment.AssignmentError) as by_problem:
            replace(problem, tasks=refused)
        with pytest.raises(assignment.AssignmentError) as by_lists:
            assignment._with_tasks(problem, refused)
        assert by_lists.value.en == by_problem.value.en


# --- substitution ----------------------------------------------------------------------------------


def test_substitution_takes_the_next_ticket_and_carries_the_team():
    manifest = m.draw(make_inputs(), SECRET, PUBLIC)
    special = manifest["strata"][3]
    closed = special["selected"][0]["id"]
    after = m.substitute(manifest, closed, "企业已关停")
    event = after["substitutions"][0]
    taken = {p["id"] for s in manifest["strata"] for p in s["selected"]}
    rest = [f"S{n:03d}" for n in range(4) if f"S{n:03d}" not in taken]
    expected = min(rest, key=lambda i: consistent_sampler.first_fraction(i, special["seed"]))
    assert event["replacements"] == [{"stratum": "special", "in": expected,
                                      "ticket": consistent_sampler.first_fraction(expected, special["seed"])}]
    old_team = next([x["inspector"] for x in t["members"]] for t in manifest["assignment"]["result"]["teams"]
                    if t["task"] == closed)
    assert event["teams"] == [{"task": expected, "rule": "carried", "from": closed, "inspectors": old_team}]
    assert after["strata"] == manifest["strata"] and after["selection_hash"] == manifest["selection_hash"]
    assert m.verify(after) == []


def test_a_recused_team_is_not_carried_but_drawn():
    # each special-supervision target recuses two officers; find a draw whose first replacement recuses a
    # member of the closed target's team
    recusals = {f"S{n:03d}": [f"I{2 * n:02d}", f"I{2 * n + 1:02d}"] for n in range(4)}
    inputs = make_inputs(recusals=recusals)
    for byte in range(60):
        manifest = m.draw(inputs, bytes([byte]) * 32, PUBLIC)
        special = manifest["strata"][3]
        closed = special["selected"][0]["id"]
        team = next([x["inspector"] for x in t["members"]] for t in manifest["assignment"]["result"]["teams"]
                    if t["task"] == closed)
        taken = {p["id"] for s in manifest["strata"] for p in s["selected"]}
        successor = min((f"S{n:03d}" for n in range(4) if f"S{n:03d}" not in taken),
                        key=lambda i: consistent_sampler.first_fraction(i, special["seed"]))
        if set(team) & set(recusals[successor]):
            break
    else:
        pytest.fail("no draw put a recused officer in the way")
    event = m.substitute(manifest, closed, "企业已关停")["substitutions"][0]
    assert event["replacements"][0]["in"] == successor
    drawn = event["teams"][0]
    assert drawn["rule"] == "drawn" and drawn["task"] == successor
    section = drawn["assignment"]
    assert [t["id"] for t in section["problem"]["tasks"]] == [successor]
    assert section["problem"]["tasks"][0]["recusals"] == recusals[successor]
    new_team = [x["inspector"] for x in section["result"]["teams"][0]["members"]]
    assert not set(new_team) & set(recusals[successor]) and len(new_team) == 2


def test_substituting_a_target_of_two_strata_replaces_it_in_both():
    for byte in range(40):
        manifest = m.draw(make_inputs(), bytes([byte]) * 32, PUBLIC)
        key = [p["id"] for p in manifest["strata"][2]["selected"]]
        both = [p["id"] for p in manifest["strata"][1]["selected"] if p["id"] in key]
        if both:
            break
    else:
        pytest.fail("no draw selected a target in both key and joint")
    after = m.substitute(manifest, both[0], "已注销")
    event = after["substitutions"][0]
    assert [r["stratum"] for r in event["replacements"]] == ["joint", "key"]
    assert len({r["in"] for r in event["replacements"]}) == 2
    assert {t["task"] for t in event["teams"]} == {r["in"] for r in event["replacements"]}
    assert m.verify(after) == []
    again = m.substitute(after, event["replacements"][1]["in"], "已注销")
    assert again["substitutions"][1]["out"] == event["replacements"][1]["in"]
    assert m.verify(again) == []


def test_substitution_needs_a_selected_target_and_a_reason():
    manifest = m.draw(make_inputs(), SECRET, PUBLIC)
    selected = manifest["strata"][2]["selected"][0]["id"]
    with pytest.raises(DrawError, match="reason"):
        m.substitute(manifest, selected, "  ")
    with pytest.raises(DrawError, match="not in the current selection"):
        m.substitute(manifest, "NOT-THERE", "已关停")
    after = m.substitute(manifest, selected, "已关停")
    with pytest.raises(DrawError, match="not in the current selection"):
        m.substitute(after, selected, "again")


def test_an_exhausted_stratum_shrinks():
    inputs = m.freeze(PLAN, POLICY, [m.StratumInput("key", 2, [Candidate("a"), Candidate("b")])])
    manifest = m.draw(inputs, SECRET, PUBLIC)
    after = m.substitute(manifest, "a", "已关停")
    assert after["substitutions"][0]["replacements"] == [] and after["substitutions"][0]["teams"] == []
    assert m.verify(after) == []


# --- sealing and the vector manifest ---------------------------------------------------------------


def test_seal_hides_the_secret_and_the_list():
    manifest = m.draw(make_inputs(), SECRET, PUBLIC)
    sealed = m.seal(manifest)
    text = canonical.dumps(sealed).decode("utf-8")
    assert SECRET.hex() not in text and manifest["seed"] not in text
    assert not any(p["id"] in text for s in manifest["strata"] for p in s["selected"] if p["id"].startswith("G"))
    assert sealed["selection_hash"] == manifest["selection_hash"]
    assert [s["population"] for s in sealed["strata"]] == [24, 16, 16, 4]
    disclosed = m.seal(manifest, disclose_selection=True)
    assert disclosed["strata"][0]["selected"] == [p["id"] for p in manifest["strata"][0]["selected"]]
    assert m.verify(manifest, sealed) == [] and m.verify(manifest, disclosed) == []


def test_the_vector_manifest_is_reproduced_byte_for_byte():
    published = (VECTORS_DIR / "draw-manifest.json").read_bytes()
    vector = json.loads(published)
    manifest = m.draw(vector["inputs"], bytes.fromhex(vector["secret"]), vector["public_value"])
    for event in vector["substitutions"]:
        manifest = m.substitute(manifest, event["out"], event["reason"])
    assert canonical.dumps(manifest) + b"\n" == published
    assert canonical.dumps(m.seal(manifest)) + b"\n" == (VECTORS_DIR / "draw-manifest-sealed.json").read_bytes()
    rules = sorted(t["rule"] for e in vector["substitutions"] for t in e["teams"])
    assert rules == ["carried", "drawn"]
    assert {s["name"]: s["weighted"] for s in vector["strata"]} == {"general": 1, "joint": 0, "key": 0, "special": 0}
