"""The freeze's strict reading of the inputs it has just made itself (``manifest._inputs``, ``made``) takes what
``_inputs`` found or built on the way — ids found plain by ``_frozen_targets``, the inspector pool's ``Problem``,
containers it wrote — instead of walking them again. Whatever it is given, it must refuse exactly what the
strict reading of the same inputs as stored data refuses, in the same words, and read the rest alike."""

import copy
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import assignment, canonical, sampling
from shuangsuiji.engine import manifest as m
from shuangsuiji.engine.sampling import Candidate, DrawError


class Text(str):
    """A str subclass: equal to its text, but not of type str, so not canonical."""


class Officer(assignment.Inspector):
    """An Inspector subclass: the pool it is in is not the one ``Problem.from_json`` makes."""


DAY = date(2024, 12, 31)
PLAN = m.Plan("130602", "county", 2021, 3)
POLICY = m.PolicyRef("baoding-2021", 1, "ab" * 32)


def _outcome(read):
    try:
        return "read", read()
    except (DrawError, canonical.CanonicalError, assignment.AssignmentError) as error:
        return type(error).__name__, str(error)


def _both(plan, policy, strata, pool):
    """The outcome of the freeze's reading of its own inputs, and of the strict reading of the same inputs."""
    try:
        inputs, made = m._inputs(plan, policy, strata, pool)
    except (AttributeError, TypeError, ValueError):  # refused (or crashed) while being made, before any reading
        return None
    stored = copy.deepcopy(inputs)  # the same values, types kept: what a draw of stored inputs reads
    return _outcome(lambda: m._read_inputs(inputs, made=made)), _outcome(lambda: m._read_inputs(stored))


def _pool(inspectors, recusals=None, pairs=()):
    return m.AssignmentInputs(date(2021, 6, 24), date(2021, 9, 30), 2, 5, inspectors, pairs,
                              recusals if recusals is not None else {"K1": ["I01"]})


def _inspectors(n=4):
    return [assignment.Inspector(f"I{k:02d}", "大气环境处", ("在线监测",) if k % 2 else (), DAY) for k in range(n)]


_TEXTS = st.sampled_from(["K1", "K2", "K3", "Ké", "Ke\u0301", "K\ud800", "", Text("K4"), 7])
_WEIGHTS = st.sampled_from([1, 1, 2, 3, 0, -1, True, 1.0, Text("1")])
_FLAGS = st.sampled_from([0, 0, 1, True, False, 2])


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(_TEXTS, max_size=6), weights=st.lists(_WEIGHTS, min_size=6, max_size=6),
       flags=st.lists(_FLAGS, min_size=6, max_size=6), quota=st.one_of(st.integers(-1, 6), st.just(Text("1"))),
       weighted=st.booleans(), columns=st.booleans(), name=st.sampled_from(["key", "ke\u0301y", "a|b", "k\ud800"]))
def test_the_freeze_refuses_a_stratum_as_the_strict_reading_does(ids, weights, flags, quota, weighted, columns, name):
    n = len(ids)
    targets = (m.TargetColumns(ids, weights[:n], flags[:n]) if columns
               else list(zip(ids, weights[:n], flags[:n], strict=True)))
    outcomes = _both(PLAN, POLICY, [m.StratumInput(name, quota, targets, weighted=weighted)], None)
    if outcomes is not None:
        assert outcomes[0] == outcomes[1]


def _changed_inspector(kind):
    inspectors = _inspectors()
    p = inspectors[1]
    if kind == "expert as 1":
        inspectors[1] = replace(p, expert=1)
    elif kind == "expiry a datetime":
        inspectors[1] = replace(p, certificate_expiry=datetime(2024, 12, 31))
    elif kind == "specialties out of order":  # as if made around Inspector.__post_init__
        object.__setattr__(p, "specialties", ("在线监测", "危废", "在线监测"))
    elif kind == "a subclass":
        inspectors[1] = Officer(p.id, p.department, p.specialties, p.certificate_expiry)
    elif kind == "department a Text":
        inspectors[1] = replace(p, department=Text(p.department))
    elif kind == "department a lone surrogate":
        inspectors[1] = replace(p, department="\ud800")
    elif kind == "id a Text":
        inspectors[1] = replace(p, id=Text(p.id))
    elif kind == "status a Text":
        inspectors[1] = replace(p, status=Text("active"))
    return inspectors


_INSPECTOR_CHANGES = ["expert as 1", "expiry a datetime", "specialties out of order", "a subclass",
                      "department a Text", "department a lone surrogate", "id a Text", "status a Text"]


@pytest.mark.parametrize("kind", _INSPECTOR_CHANGES)
def test_a_pool_the_freeze_cannot_trust_is_read_as_stored(kind):
    strata = [m.StratumInput("key", 1, [Candidate("K1"), Candidate("K2")])]
    pool = _pool(_changed_inspector(kind))
    outcomes = _both(PLAN, POLICY, strata, pool)
    assert outcomes is not None
    assert outcomes[0] == outcomes[1]
    # refused, or read (expert 1 is read as True) as from_json reads it: never the pool the freeze made
    inputs, made = m._inputs(PLAN, POLICY, strata, pool)
    assert not m._plain_pool(made.pool) or not m._made_canonical(inputs, made.pool)
    if outcomes[0][0] == "read":
        assert m._read_inputs(inputs, made=made).pool is not made.pool


_OUTSIDE_TEXTS = [
    ("plan", lambda t: replace(PLAN, jurisdiction=t)), ("plan", lambda t: replace(PLAN, level=Text("county"))),
    ("plan", lambda t: replace(PLAN, reason=t)), ("policy", lambda t: replace(POLICY, id=t)),
    ("policy", lambda t: replace(POLICY, fingerprint=Text("ab" * 32))),
]


@pytest.mark.parametrize("text", [Text("130602"), "\ud800", "e\u0301x"])
@pytest.mark.parametrize(("part", "change"), _OUTSIDE_TEXTS)
def test_texts_from_outside_are_held_to_the_canonical_form(part, change, text):
    plan = change(text) if part == "plan" else PLAN
    policy = change(text) if part == "policy" else POLICY
    strata = [m.StratumInput("key", 1, [Candidate("K1"), Candidate("K2")])]
    outcomes = _both(plan, policy, strata, _pool(_inspectors()))
    assert outcomes is not None
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("target", [Text("K1"), "K\ud800", "K1"])
@pytest.mark.parametrize("pair", [("I00", "I01"), (Text("I00"), "I01"), ("I00", "I00"), ("I00", "I\ud800")])
def test_recusals_and_recent_pairs_are_held_to_the_canonical_form(target, pair):
    strata = [m.StratumInput("key", 1, [Candidate("K1"), Candidate("K2")])]
    try:
        pool = _pool(_inspectors(), {target: ["I01"]}, (pair,))
    except assignment.AssignmentError:
        return
    outcomes = _both(PLAN, POLICY, strata, pool)
    if outcomes is not None:
        assert outcomes[0] == outcomes[1]


def test_the_freeze_takes_what_it_made_when_it_can():
    # the fast paths are taken for plain inputs: the pool is the Problem _inputs made, the ids are found plain
    inputs, made = m._inputs(PLAN, POLICY, [m.StratumInput("key", 1, [Candidate("K2"), Candidate("K1")])],
                             _pool(_inspectors()))
    assert made.columns[0][3] is True
    assert m._read_inputs(inputs, made=made).pool is made.pool
    assert m._read_inputs(copy.deepcopy(inputs)) == m._read_inputs(inputs, made=made)
    for ids, plain in ((["K1", "K1"], False), (["", "K1"], False), (["Ke\u0301", "K1"], False),
                       (["K\ud800", "K1"], False), (["K1", "K2"], True), ([], True)):
        columns: list = []
        m._frozen_targets(m.TargetColumns(ids, [1] * len(ids), [0] * len(ids)), columns)
        assert columns[0][3] is plain


@pytest.mark.parametrize("ids", [["K1", "K1"], ["", "K1"], ["K\ud800"], ["K1", 2]])
def test_check_stratum_with_plain_ids_checks_all_but_the_ids(ids):
    # plain_ids is only given for ids _frozen_targets found plain; the weights and the quota are still checked
    with pytest.raises(DrawError, match="weight"):
        sampling.check_stratum("key", ["K1", "K2"], [1, 2], [0, 0], 1, False, plain_ids=True)
    with pytest.raises(DrawError, match="quota"):
        sampling.check_stratum("key", ["K1", "K2"], [1, 1], [0, 0], 3, False, plain_ids=True)
    with pytest.raises(DrawError, match="exceed the quota"):
        sampling.check_stratum("key", ["K1", "K2"], [1, 1], [1, 1], 1, False, plain_ids=True)
    with pytest.raises(DrawError, match=r"target id|listed twice"):
        sampling.check_stratum("key", ids, [1] * len(ids), [0] * len(ids), 1, False)
