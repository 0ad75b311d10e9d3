"""The C accelerator (shuangsuiji/engine/_native.c) decides exactly as the pure-Python reference.

The pure path (``sampling._ticket_order`` over ``tickets.ticket_values``, ``assignment._Draw.first_by_ticket``
without the accelerator) is the specification's reading of the ticket order; every test here compares the C
code with it, on random ids and on crafted digests for the ties that random hashing never reaches (equal
19-digit keys, equal tickets, tickets shorter than others or a prefix of them).
"""

import hashlib
import os
import sys
from contextlib import contextmanager
from datetime import date
from itertools import accumulate, pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import assignment, manifest, quotas, sampling, tickets
from shuangsuiji.engine.assignment import Inspector, Problem, Task
from tests.engine import test_assignment
from tests.engine.synthetic_pools import synthetic_problem
from tests.engine.test_manifest_bytes import CASES, RECORDED, _digests

ENGINE = Path(sampling.__file__).parent
PURE = os.environ.get("SHUANGSUIJI_ENGINE_PURE", "") not in ("", "0")
try:
    from shuangsuiji.engine import _native
except ImportError:
    _native = None


@pytest.fixture(autouse=True, scope="module")
def _accelerator():
    """Setup builds the accelerator on every machine with a C compiler; a missing one is a failure, unless the
    pure path is asked for (a machine without a compiler runs the engine's tests that way)."""
    if _native is None:
        if PURE:
            pytest.skip("the C accelerator is not built and SHUANGSUIJI_ENGINE_PURE is set")
        pytest.fail("the C accelerator is not built: run scripts/build-native "
                    "(make setup does, on every machine with a C compiler)")


def test_the_accelerator_is_built_and_used(monkeypatch):
    if PURE:
        pytest.skip("SHUANGSUIJI_ENGINE_PURE is set: the pure path is asked for")
    assert Path(_native.__file__).parent == ENGINE, f"{_native.__file__} is not this checkout's"
    built = Path(_native.__file__).stat().st_mtime
    assert built >= (ENGINE / "_native.c").stat().st_mtime, "_native.c changed since: run scripts/build-native"
    assert tickets._native is _native
    # used: with the pure path's hashing broken, the draw still orders and picks
    monkeypatch.setattr(tickets, "ticket_values", None)
    ids = [f"91130600MA{n:08d}" for n in range(100)]
    assert [id for _, id in sampling.ranked(ids, "s")] == sorted(ids, key=lambda i: (tickets.digits(i, "s"), i))
    problem = synthetic_problem(tasks=20, inspectors=12, label="native")
    monkeypatch.setattr(assignment, "_HEADS", None)  # the pure first_by_ticket's table
    assert assignment._Draw(problem, SEED).prefix_hex is not None
    assert assignment.assign(problem, SEED).feasible


SEED = "5e" * 32


@contextmanager
def _on(path):
    """The engine on one path whatever SHUANGSUIJI_ENGINE_PURE says: _native for the C, None for the pure."""
    with pytest.MonkeyPatch.context() as patch:  # not the fixture: hypothesis runs a test's body many times
        patch.setattr(tickets, "_native", path)
        yield


def _pure_order(ids, digests, take):
    return sampling._ticket_order(ids, [int.from_bytes(d, "big") for d in digests], take)


def _takes(n):
    return [None, 0, 1, 2, n // 8, n // 8 + 1, n // 2, n, n + 3]


# --- random ids ------------------------------------------------------------------------------------

_kinds = st.sampled_from([
    "91130600MA{:08d}",             # credit codes
    "企业{:d}号（保定）",              # CJK
    "e\u0301x{:d}" + "长" * 40,      # long: the id alone spans blocks
    "{:d}" + "a" * 150,
])


@settings(max_examples=60, deadline=None)
@given(kind=_kinds, n=st.integers(0, 3000), seed=st.text(max_size=20), data=st.data())
def test_ticket_order_equals_the_pure_order(kind, n, seed, data):
    ids = [kind.format(k * 7919 % 100_003) for k in range(n)]
    seed_hex = tickets.seed_hash(seed)
    values = tickets.ticket_values(ids, seed_hex)
    take = data.draw(st.one_of(st.none(), st.integers(-2, n + 2)))
    for t in (take, *_takes(n)):
        assert _native.ticket_order(seed_hex, ids, t) == sampling._ticket_order(ids, values, t)


def test_ids_of_every_length_across_the_blocks():
    """The hash of an id whose bytes end in the block that the seed's midstate leaves open takes a short path;
    longer ones the general one: every length from 0 to 200 bytes, against the pure order."""
    ids = ["x" * n for n in range(201)] + ["é" * n for n in range(1, 101)]
    seed_hex = tickets.seed_hash("lengths")
    assert _native.ticket_order(seed_hex, ids, None) == sampling._ticket_order(
        ids, tickets.ticket_values(ids, seed_hex), None)
    people = [id.encode() for id in ids]
    for task in ("", "T1", "任" * 20, "t" * 70):
        for k in range(0, len(ids) - 1, 7):
            names = [k, k + 1, (k * 13) % len(ids)]
            expected = min(names, key=lambda n: (tickets.digits(task + "/" + ids[n], "s"), names.index(n)))
            assert _native.first_by_ticket(tickets.seed_hash("s"), task, people, names) == expected


@settings(max_examples=150, deadline=None)
@given(ids=st.lists(st.text(min_size=0, max_size=30), max_size=60), seed=st.text(max_size=20),
       take=st.one_of(st.none(), st.integers(-1, 70)))
def test_any_text_ids_duplicates_included(ids, seed, take):
    """Any text (empty, control characters, astral planes) and repeated ids: equal ids have equal tickets
    and keep their positions' order, as Python's stable sort keeps them."""
    seed_hex = tickets.seed_hash(seed)
    assert _native.ticket_order(seed_hex, ids, take) == sampling._ticket_order(
        ids, tickets.ticket_values(ids, seed_hex), take)
    assert _native.ticket_order(seed_hex, tuple(ids), take) == _native.ticket_order(seed_hex, ids, take)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 400), seed=st.text(max_size=10), data=st.data())
def test_the_public_functions_answer_the_same_on_both_paths(n, seed, data):
    ids = [f"9113{k:06d}企业" for k in range(n)]
    take = data.draw(st.integers(0, n))
    weights = data.draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    musts = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    quota = data.draw(st.integers(min(n, sum(musts)), n))

    def run():
        return (sampling.ranked(ids, seed), sampling.smallest(ids, seed, take), sampling.sample(ids, seed, take),
                sampling.select("s", ids, weights, musts, quota, SEED, weighted=True),
                sampling.select("s", ids, [1] * n, musts, quota, SEED))

    with _on(_native):
        native = run()
    with _on(None):
        assert run() == native


def test_what_the_accelerator_does_not_take_is_refused_or_left_to_the_pure_path():
    with pytest.raises(TypeError):
        _native.ticket_order(SEED, ["a", 1], None)
    with pytest.raises(TypeError):
        _native.ticket_order(SEED, iter(["a"]), None)
    with pytest.raises(TypeError):
        _native.ticket_order("abc", ["a"], None)
    with pytest.raises(TypeError):
        _native.ticket_order(SEED, ["a"], "1")
    with pytest.raises(TypeError):
        _native.digest_order([b"x"], ["a"], None)
    with pytest.raises(TypeError):
        _native.first_by_ticket(SEED, "T", [b"a"], [1])
    with pytest.raises(TypeError):
        _native.first_by_ticket(SEED, "T", [b"a", "b"], [0, 1])
    with pytest.raises(UnicodeEncodeError):
        _native.ticket_order(SEED, ["\ud800"], None)
    # the public functions raise what the pure path always raised
    with pytest.raises(AttributeError):
        sampling.ranked(["a", 1], "s")  # type: ignore[list-item]
    assert sampling.ranked(("b", "a"), "s") == sampling.ranked(["b", "a"], "s")


# --- crafted digests: the ties ---------------------------------------------------------------------

KEY = 10**19
_values = st.one_of(
    st.integers(0, 2**256 - 1),
    st.integers(0, KEY - 1),                     # fewer than 19 digits: the ticket is mostly padding
    st.integers(0, 10**63 - 1),                  # short of 64 digits: padded
    st.integers(2**256 - 2**20, 2**256 - 1),     # 78 digits
)


@st.composite
def _crafted(draw):
    """Values in families that share their first 19 ticket digits (equal value mod 10^19), some equal, in
    any order."""
    bases = draw(st.lists(_values, min_size=1, max_size=5))
    values = []
    for base in bases:
        low = base % KEY
        for step in draw(st.lists(st.integers(0, (2**256 - 1 - low) // KEY), min_size=1, max_size=6)):
            values.append(low + step * KEY)
        # the same ticket digits followed by more: the second ticket starts with the first's 64 digits
        if base < 10**64:
            values.append(base + draw(st.integers(1, (2**256 - 1 - base) // 10**64)) * 10**64)
        values.extend([base] * draw(st.integers(0, 2)))
    return draw(st.permutations(values))


@settings(max_examples=300, deadline=None)
@given(values=_crafted(), data=st.data())
def test_crafted_digests_are_ordered_as_the_pure_order(values, data):
    ids = data.draw(st.lists(st.sampled_from(["a", "b", "é", "企", "ab", "", "\U0001f600"]),
                             min_size=len(values), max_size=len(values)))
    digests = [v.to_bytes(32, "big") for v in values]
    n = len(values)
    for take in (data.draw(st.one_of(st.none(), st.integers(0, n + 1))), *_takes(n)):
        order = _native.digest_order(digests, ids, take)
        assert order == _pure_order(ids, digests, take)
        whole = sorted(range(n), key=lambda p: (tickets.value_digits(values[p]), ids[p], p))
        assert order == (whole if take is None else whole[:take])


def test_the_crafted_ties_are_reached():
    shared = 1234567890123456789  # one 19-digit key
    values = [shared + 5 * KEY, shared + 3 * KEY, shared, shared + 3 * KEY, 7, 0, 10**63 - 1, 2**256 - 1,
              shared + 3 * KEY + 10**64]
    ids = ["p", "q", "r", "a", "s", "t", "u", "v", "w"]
    digests = [v.to_bytes(32, "big") for v in values]
    expected = sorted(range(len(values)), key=lambda p: (tickets.value_digits(values[p]), ids[p]))
    # "a" and "q" share the whole ticket, "a" first; "w"'s ticket is "q"'s followed by more digits
    assert [ids[p] for p in expected] == ["t", "v", "s", "r", "a", "q", "w", "p", "u"]
    assert _native.digest_order(digests, ids, None) == expected
    assert _native.digest_order(digests * 20, ids * 20, 3) == [5, 14, 23]  # a few of many: the bounded path
    assert _native.first_digest(digests) == 5
    assert _native.first_digest([digests[k] for k in (3, 1, 2, 8)]) == 2
    assert _native.first_digest([digests[k] for k in (8, 3, 1)]) == 1  # equal tickets: the earlier


@settings(max_examples=300, deadline=None)
@given(values=_crafted())
def test_the_first_of_crafted_digests_is_the_pure_choice(values):
    digits = [tickets.value_digits(v) for v in values]
    assert _native.first_digest([v.to_bytes(32, "big") for v in values]) == digits.index(min(digits))


# --- the assignment's smallest ticket ----------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(tasks=st.integers(1, 30), inspectors=st.integers(2, 60), label=st.text("ab县市", min_size=1, max_size=30),
       data=st.data())
def test_first_by_ticket_equals_the_pure_choice(tasks, inspectors, label, data):
    problem = synthetic_problem(tasks=tasks, inspectors=inspectors, label=label)  # long labels: long task ids
    seed = data.draw(st.binary(min_size=32, max_size=32))
    with _on(None):
        pure = assignment._Draw(problem, seed)  # made without the accelerator: the pure path
    with _on(_native):
        native = assignment._Draw(problem, seed)
        assert native.prefix_hex is not None and pure.prefix_hex is None
        for t in range(tasks):
            names = data.draw(st.lists(st.integers(0, inspectors - 1), min_size=1, max_size=inspectors,
                                       unique=True))
            assert native.first_by_ticket(t, sorted(names)) == pure.first_by_ticket(t, sorted(names))
            assert native.first_by_ticket(t, names) == pure.first_by_ticket(t, names)


def test_first_by_ticket_on_equal_tickets_takes_the_earlier_candidate():
    people = tuple(Inspector(f"P{k}", "大气", (), date(2022, 1, 1)) for k in range(4))
    problem = Problem(date(2021, 9, 24), (Task("T长任务" * 20, date(2021, 12, 31)),), people, 4)
    with _on(None):
        pure = assignment._Draw(problem, SEED)
    with _on(_native):
        native = assignment._Draw(problem, SEED)
        for draw in (native, pure):  # two people with one id: equal tickets
            draw.person_bytes = [b"P0", b"P1", b"P0", b"P1"]
        for names in ([2, 0], [0, 2], [3, 1, 2, 0], [1, 3], [3, 1]):
            assert native.first_by_ticket(0, names) == pure.first_by_ticket(0, names)
        assert native.first_by_ticket(0, [3, 1]) == 3 and native.first_by_ticket(0, [1, 3]) == 1


def _pure_least_free(names, load, cap, members):
    """assignment._Draw.place's scan without the accelerator, as it stands there."""
    free = [n for n in names if load[n] < cap and n not in members]
    least = min((load[n] for n in free), default=None)
    return [n for n in free if load[n] == least]


@given(load=st.lists(st.integers(0, 6), min_size=1, max_size=40), cap=st.integers(0, 8), data=st.data())
def test_least_free_equals_the_pure_scan(load, cap, data):
    everyone = st.integers(0, len(load) - 1)
    names = data.draw(st.lists(everyone, max_size=len(load), unique=True))
    members = {n: 0 for n in data.draw(st.lists(everyone, max_size=4))}
    assert _native.least_free(names, load, cap, members) == _pure_least_free(names, load, cap, members)


def test_least_free_refuses_what_is_not_a_person_number():
    for names, load in (([3], [0, 0]), ([-1], [0]), (["0"], [0]), ([0], ["0"]), ([0.0], [0])):
        with pytest.raises(TypeError, match="least_free"):
            _native.least_free(names, load, 5, {})


@settings(max_examples=15, deadline=None)
@given(tasks=st.integers(1, 40), inspectors=st.integers(2, 30), seed=st.binary(min_size=32, max_size=32))
def test_a_whole_assignment_is_the_same_on_both_paths(tasks, inspectors, seed):
    """Every choice of the solver (the free candidates, then the smallest ticket) is the pure path's: the same
    teams, the same load cap, the same bindings."""
    problem = synthetic_problem(tasks=tasks, inspectors=inspectors, label="both")
    with _on(_native):
        native = assignment.assign(problem, seed).to_json()
    with _on(None):
        assert assignment.assign(problem, seed).to_json() == native


@given(ids=st.lists(st.text(max_size=80), max_size=50), seed=st.text(max_size=20))
def test_ticket_digits_equal_the_pure_digits(ids, seed):
    seed_hex = tickets.seed_hash(seed)
    pure = tickets.pure_ticket_digits(ids, seed_hex)
    assert _native.ticket_digits(seed_hex, ids) == pure
    assert _native.ticket_digits(seed_hex, tuple(ids)) == pure
    assert tickets.ticket_digits(ids, seed_hex) == pure


def test_ticket_digits_of_what_the_accelerator_does_not_take_are_the_pure_paths():
    assert tickets.ticket_digits(iter(["a", "b"]), "0" * 64) == tickets.pure_ticket_digits(["a", "b"], "0" * 64)
    assert tickets.ticket_digits(["a"], "short") == tickets.pure_ticket_digits(["a"], "short")
    with pytest.raises(AttributeError):  # not a str: the pure path's own error
        tickets.ticket_digits([1], "0" * 64)
    with pytest.raises(UnicodeEncodeError, match="surrogate"):  # no UTF-8 for a lone surrogate, on either path
        tickets.ticket_digits(["\ud800"], "0" * 64)


# --- SHA-256 -----------------------------------------------------------------------------------------


def test_sha256_equals_hashlib_across_block_boundaries():
    assert _native.SHA256_IMPLEMENTATION in ("sha-ni", "portable")
    for n in range(301):
        data = bytes((k * 131 + n) % 256 for k in range(n))
        assert _native.sha256(data) == hashlib.sha256(data).digest(), n
        assert _native.sha256(data, True) == hashlib.sha256(data).digest(), n  # the portable code, too


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=1000))
def test_sha256_equals_hashlib_on_any_bytes(data):
    assert _native.sha256(data) == _native.sha256(data, True) == hashlib.sha256(data).digest()


# --- a whole draw ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["large", "infeasible"])
def test_a_whole_draw_writes_the_same_bytes_on_both_paths(case):
    assert case in CASES
    with _on(_native):
        native = _digests(case, frozen=True)
    with _on(None):
        assert _digests(case, frozen=True) == native == RECORDED[case]


# --- the quotas' one pass over a plan's targets ------------------------------------------------------------------


class _Odd:
    """A target that is not a TargetFacts: an attribute missing, or one whose reading raises."""

    def __init__(self, id, category, error=None):
        self.id, self.category, self.error = id, category, error

    @property
    def positive_list(self):
        if self.error is not None:
            raise self.error
        return False


_split_ids = st.one_of(
    st.from_regex(r"91130[0-9]{3}MA[0-9A-Z]{8}", fullmatch=True),
    st.from_regex(r"9113060[0-9]MA[0-9A-Z]{6}[0-9A-Z]{0,4}", fullmatch=True),  # the first 16 alike, lengths apart
    st.text("ab\x00\x7féÿ", max_size=20),  # prefixes, NULs (the keys' padding), Latin-1 above ASCII
    st.text("a字\U0001f600", min_size=1, max_size=3),  # beyond Latin-1: left to the reference
    st.sampled_from([1, None, b"a"]),
)
_split_categories = st.one_of(
    st.sampled_from(quotas.CATEGORIES), st.sampled_from(quotas.CATEGORIES).map(lambda c: "".join(list(c))),
    st.sampled_from(["other", None, 3]),
)
_split_flags = st.one_of(st.booleans(), st.booleans(), st.booleans(), st.sampled_from([0, 1, None, ""]))
_split_targets = st.one_of(
    st.builds(quotas.TargetFacts, id=_split_ids, category=_split_categories, positive_list=_split_flags,
              approved_clue=_split_flags, key_listed=_split_flags),
    st.builds(quotas.TargetFacts, id=_split_ids, category=st.sampled_from(quotas.CATEGORIES)),
    st.builds(_Odd, id=_split_ids, category=st.sampled_from(quotas.CATEGORIES),
              error=st.sampled_from([None, ValueError("no")])),
)


@settings(max_examples=400, deadline=None)
@given(targets=st.one_of(st.lists(_split_targets, max_size=50),
                         st.lists(_split_targets, max_size=400, unique_by=lambda t: repr(t.id))),
       keep=st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_split_targets_equals_the_pure_split(targets, keep):
    assert _native.split_targets(targets, quotas.CATEGORIES, keep) == quotas._split_targets(
        targets, quotas.CATEGORIES, keep)


def test_split_targets_sorts_ids_as_python_sorts_str():
    # equal first 16 code points, ids that are prefixes of others, NULs and Latin-1 above ASCII
    ids = ["9113060" + tail for tail in ("0MA12345678", "0MA1234567", "0MA123456780", "0MA12345678\x00", "0MA")]
    ids += ["", "\x00", "\x00\x00", "a\x00", "a", "aé", "aÿ", "a\x7f", "ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ", "ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ"]
    ids += [f"{n:020d}" for n in range(300, 0, -7)]
    targets = [quotas.TargetFacts(id, "general") for id in ids]
    split = _native.split_targets(targets, quotas.CATEGORIES, (False, True, True))
    assert split == ((((), (), tuple(sorted(ids))), (None, [], targets), []))
    assert split == quotas._split_targets(targets, quotas.CATEGORIES, (False, True, True))


def test_split_targets_leaves_to_the_reference_what_it_does_not_decide():
    plain = [quotas.TargetFacts("A", "key"), quotas.TargetFacts("B", "general")]
    for targets in (
        [*plain, quotas.TargetFacts("A", "special")],        # given twice
        [*plain, quotas.TargetFacts("C", "important")],      # not a category
        [*plain, quotas.TargetFacts("字\U0001f600", "key")],  # beyond Latin-1
        [*plain, quotas.TargetFacts(1, "key")],              # type: ignore[arg-type]
        [*plain, _Odd("C", "key", ValueError("no"))],        # an attribute that raises
        [*plain, object()],                                  # none of the attributes
    ):
        assert _native.split_targets(targets, quotas.CATEGORIES, quotas._KEEP) is None
        assert quotas._split_targets(targets) is None
    # what is not an ordinary error goes up, on both
    for split in (lambda t: _native.split_targets(t, quotas.CATEGORIES, quotas._KEEP), quotas._split_targets):
        with pytest.raises(KeyboardInterrupt):
            split([*plain, _Odd("C", "key", KeyboardInterrupt())])
    with pytest.raises(TypeError):
        _native.split_targets(tuple(plain), quotas.CATEGORIES, quotas._KEEP)
    with pytest.raises(TypeError):
        _native.split_targets(plain, ["key"], (True,))
    with pytest.raises(TypeError):
        _native.split_targets(plain, quotas.CATEGORIES, (True,))
    with pytest.raises(TypeError):
        _native.split_targets(plain, quotas.CATEGORIES, (1, 0, 0))


class _Changing:
    """A target whose reading empties the list it is in: the reference decides."""

    def __init__(self, targets):
        self.targets, self.id, self.category = targets, "Z", "key"

    @property
    def positive_list(self):
        self.targets.clear()
        return False


def test_split_targets_on_a_list_changed_while_read():
    targets = [quotas.TargetFacts(f"A{n}", "key") for n in range(5)]
    targets.insert(2, _Changing(targets))
    assert _native.split_targets(targets, quotas.CATEGORIES, quotas._KEEP) is None
    assert targets == []


def test_split_targets_holds_what_it_returns_and_releases_the_rest():
    ids = [f"91130600MA{n:08d}" for n in range(50)]
    targets = [quotas.TargetFacts(id, ("key", "special", "general")[n % 3], positive_list=n % 7 == 0)
               for n, id in enumerate(ids)]
    twin = [*targets, quotas.TargetFacts(ids[10], "key")]
    before = [sys.getrefcount(x) for x in ids + targets]
    for _ in range(20):
        split = _native.split_targets(targets, quotas.CATEGORIES, (True, True, True))
        assert _native.split_targets(twin, quotas.CATEGORIES, (True, True, True)) is None
    del split
    assert [sys.getrefcount(x) for x in ids + targets] == before


# --- the solver's passes in C: fill_pass, improve_scan, teams_json ---------------------------------------

def _state(draw):
    return (draw.cap, list(draw.filler), list(draw.load), [dict(m) for m in draw.members],
            [set(h) for h in draw.held])


def _both_draws(problem, seed):
    with _on(None):
        pure = assignment._Draw(problem, seed)
    with _on(_native):
        native = assignment._Draw(problem, seed)
    assert pure.prefix_hex is None and native.prefix_hex is not None
    assert _layout(native) == _layout(pure)
    return pure, native


def _layout(draw):
    """The slots as __init__ lays them out (task_kinds and lay_out on the C path), and which lists are shared."""
    shared = [draw.eligible.index(names) for names in draw.eligible]  # == compares, index finds the first equal
    same = [next(h for h, other in enumerate(draw.eligible) if other is names) for names in draw.eligible]
    return (draw.starts, draw.slot_task, draw.slot_def, draw.eligible, draw.task_ids, draw.eligible_set,
            sorted(map(tuple, draw.candidate_lists)), shared == same or shared)


def _same_solve(problem, seed, person_bytes=None):
    """Each phase of the solver on both paths, the state compared after each: the slots left empty, then the
    teams after the local moves, or the bindings."""
    pure, native = _both_draws(problem, seed)
    if person_bytes is not None:
        pure.person_bytes = native.person_bytes = person_bytes
    with _on(None):
        pure_left = pure.fill()
    with _on(_native), pytest.MonkeyPatch.context() as patch:
        # the accelerated fill never goes through place: its whole greedy pass is the C call
        patch.setattr(assignment._Draw, "place", None)
        native_left = native.fill()
    assert native_left == pure_left
    assert _state(native) == _state(pure)
    if pure_left:
        with _on(None):
            assert native.bindings(native_left) == pure.bindings(pure_left)
        return
    with _on(None):
        pure.improve()
        pure_teams = pure.teams_json()
    with _on(_native):
        native.improve()
        native_teams = native.teams_json()
    assert _state(native) == _state(pure)
    assert native_teams == pure_teams


@settings(max_examples=150, deadline=None)
@given(problem=test_assignment.problems(max_tasks=10, max_inspectors=9, max_load=3), seed=st.binary(min_size=32,
       max_size=32))
def test_the_solver_decides_as_the_pure_path_on_random_problems(problem, seed):
    """Recusals, recent pairs, departments, specialties, experts, expired certificates, people on leave, load
    caps from 1: feasible and infeasible problems alike."""
    _same_solve(problem, seed)


@settings(max_examples=60, deadline=None)
@given(problem=test_assignment.problems(max_tasks=25, max_inspectors=10, max_load=6, lenient=True),
       seed=st.binary(min_size=32, max_size=32))
def test_the_solver_decides_as_the_pure_path_on_lenient_problems(problem, seed):
    """Mostly feasible, with more recent pairs: the local moves and the partners' rule at work."""
    _same_solve(problem, seed)


@settings(max_examples=25, deadline=None)
@given(tasks=st.integers(1, 120), inspectors=st.integers(2, 40), max_load=st.one_of(st.none(), st.integers(1, 12)),
       label=st.text("ab县", min_size=1, max_size=40), seed=st.binary(min_size=32, max_size=32))
def test_the_solver_decides_as_the_pure_path_on_synthetic_pools(tasks, inspectors, max_load, label, seed):
    """Larger pools with many recent pairs, joint tasks and recusals; long task ids (hashed across blocks);
    tight caps, where the C pass stops at slot after slot for an augmenting path."""
    _same_solve(synthetic_problem(tasks=tasks, inspectors=inspectors, label=label, max_load=max_load), seed)


def test_the_fill_pass_takes_the_earlier_candidate_on_equal_tickets():
    people = tuple(Inspector(f"P{k}", "大气", (), date(2022, 1, 1)) for k in range(4))
    tasks = tuple(Task(f"T{k}", date(2021, 12, 31)) for k in range(6))
    problem = Problem(date(2021, 9, 24), tasks, people, 3)
    for person_bytes in ([b"P0", b"P1", b"P0", b"P1"], [b"X"] * 4, [b"P3", b"P1", b"P1", b"P0"]):
        for seed in (SEED, bytes(32), "a1" * 32):
            _same_solve(problem, seed, person_bytes)


def test_the_c_passes_refuse_what_is_not_a_draws_state():
    problem = synthetic_problem(tasks=6, inspectors=5, label="refuse")
    with _on(_native):
        draw = assignment._Draw(problem, SEED)

    def args(**change):
        given = dict(pending=[0, 1], start=0, eligible=draw.eligible, slot_task=draw.slot_task, members=draw.members,
                     held=draw.held, load=draw.load, filler=draw.filler, cap=draw.cap, partners=draw.partners,
                     prefix=draw.prefix_hex, task_ids=[t.id for t in draw.tasks], people=draw.person_bytes)
        given.update(change)
        return list(given.values())

    n = len(draw.load)
    for change in ({"pending": [len(draw.slot_task)]}, {"pending": [-1]}, {"pending": ["0"]},
                   {"load": [0] * (n - 1)}, {"load": ["0"] * n}, {"members": [[] for _ in draw.tasks]},
                   {"held": [frozenset() for _ in range(n)]}, {"people": ["x"] * n}, {"prefix": "short"},
                   {"task_ids": [1] * len(draw.tasks)}, {"cap": 2.0}, {"eligible": [[n]] * len(draw.slot_task)}):
        with pytest.raises(TypeError):
            _native.fill_pass(*args(**change))
    assert draw.filler == [-1] * len(draw.slot_task) and draw.load == [0] * n  # nothing was placed
    with pytest.raises(TypeError):
        _native.fill_pass(*args()[:-1])
    with pytest.raises(TypeError, match="improve_scan"):
        _native.improve_scan(0, draw.eligible, draw.filler, draw.partners, draw.load, draw.cap)  # nobody placed yet
    with pytest.raises(TypeError, match="improve_scan"):
        _native.improve_scan(0, draw.eligible, [0] * len(draw.slot_task), draw.partners, [], draw.cap)
    with pytest.raises(TypeError, match="teams_json"):
        _native.teams_json([t.id for t in draw.tasks], draw.starts, draw.filler, [p.id for p in draw.people],
                           draw.slot_def)  # -1: no one in the slots
    with pytest.raises(TypeError, match="teams_json"):
        _native.teams_json([t.id for t in draw.tasks], draw.starts[:-1], [0] * len(draw.slot_task),
                           [p.id for p in draw.people], draw.slot_def)


@given(load=st.lists(st.integers(0, 6), min_size=1, max_size=12), cap=st.integers(0, 8), data=st.data())
def test_improve_scan_dismisses_as_the_pure_rule(load, cap, data):
    people = range(len(load))
    eligible = data.draw(st.lists(st.lists(st.sampled_from(people), unique=True), min_size=1, max_size=20))
    filler = data.draw(st.lists(st.sampled_from(people), min_size=len(eligible), max_size=len(eligible)))
    partners = [set(data.draw(st.lists(st.sampled_from(people), max_size=2))) for _ in people]
    start = data.draw(st.integers(-1, len(eligible) + 1))

    def kept(g):
        floor = min((load[n] for n in eligible[g] if load[n] < cap), default=cap)
        return bool(partners[filler[g]]) or not floor > load[filler[g]] - 2

    expected = max(start, 0)  # from start on (at 0 when below), the first slot kept, else len(eligible)
    while expected < len(eligible) and not kept(expected):
        expected += 1
    assert _native.improve_scan(start, eligible, filler, partners, load, cap) == expected


# --- the layout of slots in C: task_kinds, lay_out, by_length ----------------------------------------------


def _pure_kinds(tasks):
    numbers, firsts, kind_of = {}, [], []
    for t, task in enumerate(tasks):
        key = (task.team_size, task.departments, task.specialties, task.expert_specialties, task.deadline)
        if key not in numbers:
            numbers[key] = len(firsts)
            firsts.append(t)
        kind_of.append(numbers[key])
    return kind_of, firsts, [task.id for task in tasks], [t for t, task in enumerate(tasks) if task.recusals]


@given(picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2), st.booleans()),
                      max_size=40))
def test_task_kinds_group_as_a_dict_of_the_fields(picks):
    """Equal fields group whether or not they are the same objects (a manifest's tasks share them, others not)."""
    departments = [(), ("水",), ("大气", "水"), ("大气",)]
    days = [date(2021, 12, 31), date(2022, 1, 1), date(2021, 12, 31)]
    tasks = []
    for k, (d, size, day, copy) in enumerate(picks):
        fields = (2 + size % 2, departments[d], ("噪声",) if size > 1 else (), (), days[day])
        if copy:  # equal, not identical
            fields = tuple(tuple(list(f)) if isinstance(f, tuple) else f for f in fields)
            fields = (*fields[:4], date.fromordinal(fields[4].toordinal()))
        recusals = ("P1",) if size == 3 else ()
        tasks.append(assignment._canonical_task(f"T{k:03d}", fields[4], fields[0], *fields[1:4], recusals))
    assert _native.task_kinds(tasks) == _native.task_kinds(tuple(tasks)) == _pure_kinds(tasks)


def test_task_kinds_refuse_what_is_not_tasks():
    with pytest.raises(TypeError):
        _native.task_kinds(iter([]))
    with pytest.raises(AttributeError):
        _native.task_kinds([Task("T", date(2022, 1, 1)), "T2"])
    assert _native.task_kinds([]) == ([], [], [], [])


@given(kinds=st.lists(st.integers(0, 4), min_size=1, max_size=4), data=st.data())
def test_lay_out_equals_the_pure_layout(kinds, data):
    lists = [[n] for n in range(5)]
    kind_slots = [tuple(assignment.Slot("officer", str(j)) for j in range(k)) for k in kinds]
    kind_lists = [tuple(lists[j] for j in range(k)) for k in kinds]
    kind_of = data.draw(st.lists(st.integers(0, len(kinds) - 1), max_size=30))
    starts, slot_task, slot_def, eligible = _native.lay_out(kind_of, kind_slots, kind_lists)
    expected = [(t, slot, names) for t, k in enumerate(kind_of)
                for slot, names in zip(kind_slots[k], kind_lists[k], strict=True)]
    assert list(zip(slot_task, slot_def, eligible, strict=True)) == expected
    assert all(a is b for a, (_, _, b) in zip(eligible, expected, strict=True))  # the lists are shared, not copied
    assert starts == [sum(len(kind_slots[k]) for k in kind_of[:t]) for t in range(len(kind_of) + 1)]


def test_lay_out_refuses_what_does_not_match():
    slots = (assignment.Slot("officer", ""),)
    for args in (([1], [slots], [([0],)]), ([0], [slots], [()]), ([0], [slots], [([0], [1])]), ([0], [slots], [(0,)]),
                 ([-1], [slots], [([0],)]), (["0"], [slots], [([0],)]), ([0], [slots], [])):
        with pytest.raises(TypeError):
            _native.lay_out(*args)


@given(lengths=st.lists(st.integers(0, 6), max_size=50))
def test_by_length_is_the_stable_sort(lengths):
    eligible = [list(range(k)) for k in lengths]
    assert _native.by_length(eligible) == sorted(range(len(eligible)), key=lambda g: len(eligible[g]))
    with pytest.raises(TypeError):
        _native.by_length([*eligible, (1,)])


_row_ids = st.one_of(st.text(alphabet="0129AZaz\x00\x7fé", max_size=4), st.sampled_from(["", "A", "é", "e\u0301"]))


@settings(max_examples=400, deadline=None)
@given(ids=st.one_of(st.lists(_row_ids, max_size=30), st.lists(_row_ids, max_size=30).map(sorted),
                     st.sets(_row_ids, max_size=30).map(sorted)),
       weights=st.lists(st.integers(1, 5), max_size=30),
       flags=st.lists(st.sampled_from([0, 1, 1, 0, True, False, 2, -1, 2**70]), max_size=30))
def test_frozen_targets_with_frozen_rows_equals_the_pure_reading(ids, weights, flags):
    n = min(len(ids), len(weights), len(flags))
    columns = manifest.TargetColumns(ids[:n], weights[:n], flags[:n])
    with _on(None):
        pure_made: list = []
        pure = manifest._frozen_targets(columns, pure_made)
    with _on(_native):
        made: list = []
        assert manifest._frozen_targets(columns, made) == pure
    assert made == pure_made
    rows = _native.frozen_rows(list(ids[:n]), list(weights[:n]), list(flags[:n]))
    assert rows is None or (rows == pure and pure_made[0][3])


def test_frozen_rows_compares_ids_as_python_compares_str():
    for ids, plain in ((["a", "b"], True), (["a", "a"], False), (["b", "a"], False), (["a", "a\x00"], True),
                       (["a\x00", "a"], False), (["ab", "b"], True), (["b", "ab"], False), (["", "a"], False),
                       (["\x00", "\x7f"], True), (["\x7f", "\x00"], False), (["A", "a"], True), ([], True),
                       (["9113060MA12345678", "9113060MA123456780"], True)):
        assert (_native.frozen_rows(ids, [1] * len(ids), [0] * len(ids)) is not None) is plain, ids
        assert plain is (all(a < b for a, b in pairwise(ids)) and (not ids or ids[0] != ""))


def test_frozen_rows_leaves_to_the_reference_what_it_does_not_decide():
    assert _native.frozen_rows(["a", "b"], [1, 2], [1, 0]) == [["a", 1, 1], ["b", 2, 0]]
    for ids, weights, flags in ((["a", "é"], [1, 1], [0, 0]),  # not ASCII: NFC is the reference's to find
                                (["a", 1], [1, 1], [0, 0]), (["a", "b"], [1, 1], [True, 0]),
                                (["a", "b"], [1, 1], [0, 2]), (["a", "b"], [1, 1], [0, 2**70]),
                                (["a", "b"], [1, 1], [0]), (["a", "b"], [1], [0, 0])):
        assert _native.frozen_rows(ids, weights, flags) is None
    with pytest.raises(TypeError):
        _native.frozen_rows(("a",), [1], [0])


def _pure_walk(order, weights, numerators, denominator, first):
    bounds = list(accumulate(map(numerators.__getitem__, map(weights.__getitem__, order))))
    return sampling._systematic_bounds(bounds, denominator, first)


@settings(max_examples=400, deadline=None)
@given(weights=st.lists(st.one_of(st.integers(1, 4), st.integers(1, 10**6)), max_size=60),
       data=st.data())
def test_systematic_walk_equals_the_running_sums(weights, data):
    wanted = data.draw(st.integers(0, len(weights)))
    order = data.draw(st.permutations(range(len(weights))))
    numerators, denominator = sampling._inclusion_table(weights, wanted)
    first = data.draw(st.one_of(st.integers(0, denominator - 1), st.integers(-3 * denominator, 3 * denominator)))
    walked = _native.systematic_walk(list(order), weights, numerators, denominator, first)
    if first < 0:  # never a draw's (its first point lies in [0, denominator)): left to the pure path
        assert walked is None
        return
    assert walked == _pure_walk(order, weights, numerators, denominator, first)
    if 0 <= first < denominator:
        assert len(walked) == wanted


def test_systematic_walk_at_the_edges_of_64_bits():
    top = 2**63 - 1
    # sums up to the largest 64-bit integer are walked, points beyond it are none
    for numerators, denominator, first in (({1: top // 2, 2: top - top // 2}, top, 5), ({1: top, 2: 0}, top, 0),
                                           ({1: 3, 2: 4}, top, top - 1)):
        walked = _native.systematic_walk([1, 0], [1, 2], numerators, denominator, first)
        assert walked is not None and walked == _pure_walk([1, 0], [1, 2], numerators, denominator, first)
    # what it does not take is left to the pure path, which raises or answers as it always did
    for order, weights, numerators, denominator, first in (
            ([1, 0], [1, 2], {1: top, 2: 1}, top, 0),          # a sum beyond 64 bits
            ([0], [1], {1: 2**64}, 2**65, 0),                  # a numerator beyond 64 bits
            ([0], [1], {1: 1}, 2**64, 0), ([0], [1], {1: 1}, 1, 2**64), ([0], [1], {1: 1}, 0, 0),
            ([0], [1], {1: -1}, 1, 0), ([0], [1], {1: 1}, 1, -1), ([0], [1], {1: True}, 1, 0), ([0], [1], {2: 1}, 1, 0),
            ([1], [1], {1: 1}, 1, 0), ([-1], [1], {1: 1}, 1, 0), ([True], [1], {1: 1}, 1, 0)):
        assert _native.systematic_walk(order, weights, numerators, denominator, first) is None
    with pytest.raises(TypeError):
        _native.systematic_walk((0,), [1], {1: 1}, 1, 0)
    with pytest.raises(TypeError):
        _native.systematic_walk([0], [[1]], {1: 1}, 1, 0)  # an unhashable weight: as the pure lookup raises


_NAMES = st.sampled_from(["a", "b", "c"])
_WORDS = st.lists(st.sampled_from(["x", "y", "z"]), max_size=3)


@settings(max_examples=150, deadline=None)
@given(selected=st.dictionaries(_NAMES, st.lists(st.sampled_from([f"t{k}" for k in range(12)]), max_size=10),
                                max_size=3),
       needs=st.fixed_dictionaries({name: st.fixed_dictionaries(
           {"departments": _WORDS.map(lambda w: sorted(set(w))), "specialties": _WORDS.map(lambda w: sorted(set(w))),
            "expert_specialties": _WORDS.map(sorted)}) for name in ["a", "b", "c"]}),
       recusals=st.dictionaries(st.sampled_from([f"t{k}" for k in range(12)]),
                                st.lists(st.sampled_from(["p1", "p2", "p3"]), unique=True).map(sorted)))
def test_task_records_in_c_are_the_pure_ones(selected, needs, recusals):
    from shuangsuiji.engine import manifest
    strata = [manifest._Stratum(name, 0, False, needs[name], [], [], []) for name in ["a", "b", "c"]]
    a = {"deadline": "2027-03-31", "team_size": 2, "recusals": recusals}
    parsed = manifest._Inputs(strata, a, None)
    with _on(None):
        pure = manifest._task_records(parsed, selected)
    calls = []

    class Spy:  # the accelerator, noting that the C loop made the records
        def __getattr__(self, name):
            calls.append(name)
            return getattr(_native, name)

    with _on(Spy()):
        fast = manifest._task_records(parsed, selected)
    assert calls == ["task_records"]
    assert fast[0] == pure[0]
    assert [vars(t) for t in fast[1]] == [vars(t) for t in pure[1]] and fast[1] == pure[1]
    assert all(type(t) is Task for t in fast[1])
    # fresh lists in every record, as the pure path makes them: the manifest's records share none
    lists = [id(v) for r in fast[0] for v in r.values() if isinstance(v, list)]
    assert len(set(lists)) == len(lists)
    assert [list(r) for r in fast[0]] == [list(r) for r in pure[0]]  # the keys in the same order


def test_task_records_refuse_what_is_not_theirs():
    merge = lambda names: ((), (), (), (), (), ())  # noqa: E731
    with pytest.raises(TypeError):
        _native.task_records(("t",), {}, {}, merge, {}, "d", date(2027, 1, 1), 2, Task)
    with pytest.raises(KeyError):
        _native.task_records(["t"], {}, {}, merge, {}, "d", date(2027, 1, 1), 2, Task)
    with pytest.raises(TypeError, match="6-tuples"):
        _native.task_records(["t"], {"t": ("a",)}, {}, lambda names: (), {}, "d", date(2027, 1, 1), 2, Task)
    with pytest.raises(ZeroDivisionError):
        _native.task_records(["t"], {"t": ("a",)}, {}, lambda names: 1 / 0, {}, "d", date(2027, 1, 1), 2, Task)
