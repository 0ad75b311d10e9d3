"""Unweighted selection: the package's order, must-include first, quotas exact, fixed substitution order."""

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import tickets
from shuangsuiji.engine.sampling import (
    Candidate,
    DrawError,
    draw_stratum,
    ranked,
    replacement,
    sample,
    stratum_seed,
)

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "engine" / "vectors" / "draw-vectors.json").read_text(encoding="utf-8"))
SEED = "7c1d" * 16

id_lists = st.lists(st.text(min_size=1, max_size=20), max_size=60, unique=True)
seed_hex = st.binary(min_size=32, max_size=32).map(bytes.hex)


def package(ids, seed, take):
    return list(consistent_sampler.sampler(ids, seed=seed, take=take, with_replacement=False, output="id"))


def test_readme_example():
    vector = VECTORS["rivest"]["sampler"]
    assert sample(vector["ids"], vector["seed"], vector["take"]) == vector["output"] == ["B-2", "B-3", "A-3", "A-2"]


def test_stratum_vector():
    vector = VECTORS["stratum_tickets"]
    assert stratum_seed(vector["seed"], vector["stratum"]) == vector["stratum_seed"]
    ids = [entry["id"] for entry in vector["tickets"]]
    assert sample(ids, vector["stratum_seed"], vector["take"]) == vector["drawn"]


@settings(max_examples=300)
@given(ids=id_lists, seed=st.text(max_size=30), take=st.integers(0, 70))
def test_sample_matches_the_package(ids, seed, take):
    assert sample(ids, seed, take) == package(ids, seed, take)


def test_sample_matches_the_package_on_a_large_population():
    # large enough that the selection goes through heapq.nsmallest rather than a full sort
    ids = [f"91130600MA0{n:07d}" for n in range(5000)]
    assert sample(ids, "large", 40) == package(ids, "large", 40)
    assert sample(ids, "large", 4000) == package(ids, "large", 4000)


def test_sample_rejects_duplicates():
    with pytest.raises(DrawError):
        sample(["a", "b", "a"], "s", 2)


def test_command_line_equals_the_package():
    ids = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "保定-甲", "é-composed", "😀"]
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.engine", "sample", "--seed", "314159", "--take", "6"],
                         input="\n".join(ids).encode("utf-8") + b"\n", capture_output=True, cwd=ROOT, check=True)
    assert run.stdout.decode("utf-8").splitlines() == package(ids, "314159", 6)


def test_command_line_refuses_duplicate_ids():
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.engine", "sample", "--seed", "s", "--take", "1"],
                         input=b"a\na\n", capture_output=True, cwd=ROOT)
    assert run.returncode == 2 and b"duplicates" in run.stderr


@pytest.mark.parametrize("take, said", [("-1", b"-1 is negative"), ("two", b"'two' is not a whole number")])
def test_command_line_refuses_a_take_that_is_not_a_count(take, said):
    run = subprocess.run([sys.executable, "-m", "shuangsuiji.engine", "sample", "--seed", "s", "--take", take],
                         input=b"a\nb\n", capture_output=True, cwd=ROOT)
    assert run.returncode == 2 and said in run.stderr and run.stdout == b""


def candidates_strategy():
    rows = st.lists(st.tuples(st.text(alphabet="ABCDEFGHJK0123456789", min_size=1, max_size=8), st.booleans()),
                    max_size=40, unique_by=lambda c: c[0])
    return rows.map(lambda rows: [Candidate(id, 1, must) for id, must in rows])


@settings(max_examples=200)
@given(candidates=candidates_strategy(), seed=seed_hex, data=st.data())
def test_unweighted_stratum(candidates, seed, data):
    musts = [c.id for c in candidates if c.must_include]
    quota = data.draw(st.integers(len(musts), len(candidates)))
    drawn = draw_stratum("key", candidates, quota, seed)
    ids = [p.id for p in drawn.selected]
    assert len(ids) == quota == len(set(ids))
    # must-include first (in ticket order), then the package's sample of the others with the stratum seed
    assert ids[:len(musts)] == [id for _, id in ranked(musts, drawn.seed)]
    others = [c.id for c in candidates if not c.must_include]
    assert ids[len(musts):] == package(others, stratum_seed(seed, "key"), quota - len(musts))
    assert [p.via for p in drawn.selected] == ["must"] * len(musts) + ["ticket"] * (quota - len(musts))
    assert all(p.ticket == tickets.digits(p.id, drawn.seed) for p in drawn.selected)
    assert draw_stratum("key", list(reversed(candidates)), quota, seed) == drawn


@settings(max_examples=100)
@given(seed=seed_hex, other=seed_hex)
def test_a_different_seed_gives_a_different_draw(seed, other):
    candidates = [Candidate(f"91130600MA0{n:07d}") for n in range(40)]
    first = draw_stratum("general", candidates, 8, seed)
    if seed != other:
        assert draw_stratum("general", candidates, 8, other).selected != first.selected


@settings(max_examples=100)
@given(candidates=candidates_strategy(), seed=seed_hex, data=st.data())
def test_adding_or_removing_a_target_changes_no_other_ticket_or_order(candidates, seed, data):
    others = [c.id for c in candidates]
    added = data.draw(st.text(alphabet="LMNPQ", min_size=1, max_size=8).filter(lambda i: i not in others))
    name = stratum_seed(seed, "key")
    base = dict((id, t) for t, id in ranked(others, name))
    larger = ranked([*others, added], name)
    assert [(t, id) for t, id in larger if id != added] == ranked(others, name)
    assert all(base[id] == t for t, id in larger if id != added)
    if others:
        removed = data.draw(st.sampled_from(others))
        assert ranked([i for i in others if i != removed], name) == [(base[i], i) for _, i in ranked(others, name)
                                                                     if i != removed]


def test_strata_of_one_draw_are_independent():
    candidates = [Candidate(f"T{n:03d}") for n in range(40)]
    assert draw_stratum("key", candidates, 8, SEED).selected != draw_stratum("joint", candidates, 8, SEED).selected


@pytest.mark.parametrize(
    ("name", "candidates", "quota", "weighted", "message"),
    [
        ("key", [Candidate("a"), Candidate("a")], 1, False, "listed twice"),
        ("key", [Candidate("a", 1, True), Candidate("b", 1, True)], 1, False, "exceed the quota"),
        ("key", [Candidate("a")], 2, False, "quota"),
        ("key", [Candidate("a")], -1, False, "quota"),
        ("key", [Candidate("a", 2)], 1, False, "unweighted"),
        ("key", [Candidate("a", 0)], 1, True, "positive integer"),
        ("key|x", [Candidate("a")], 1, False, "stratum name"),
        ("", [Candidate("a")], 1, False, "stratum name"),
        ("key", [Candidate("")], 1, False, "non-empty NFC"),
        ("key", [Candidate("e\u0301")], 1, False, "non-empty NFC"),
    ],
)
def test_invalid_strata_are_refused(name, candidates, quota, weighted, message):
    with pytest.raises(DrawError, match=message):
        draw_stratum(name, candidates, quota, SEED, weighted)


def test_replacements_follow_the_ranked_tail():
    candidates = [Candidate(f"T{n:03d}", 1, n < 2) for n in range(30)]
    drawn = draw_stratum("key", candidates, 6, SEED)
    order = [id for _, id in ranked([c.id for c in candidates if not c.must_include], drawn.seed)]
    assert [p.id for p in drawn.selected[2:]] == order[:4]
    unavailable: list[str] = []
    for expected in order[4:9]:
        pick = replacement(drawn, [c.id for c in candidates], unavailable)
        assert pick is not None and pick.id == expected
        unavailable.append(pick.id)
    assert replacement(drawn, [c.id for c in candidates], [c.id for c in candidates]) is None


def test_equal_tickets_are_ordered_by_id(monkeypatch):
    # Equal tickets need a SHA-256 collision, so the rule of spec §4 (then by id, as the package sorts) is
    # exercised with stand-in values: "b" and "c" share the smallest ticket, "a" and "d" the next.
    fake = {"a": 5, "b": 1, "c": 1, "d": 5, "e": 9}
    fake.update({f"z{n:02d}": 99 + 100 * n for n in range(40)})  # tickets "99…", "991…": larger than a–e
    monkeypatch.setattr(tickets, "ticket_values", lambda ids, seed_hex: [fake[i] for i in ids])
    monkeypatch.setattr(tickets, "_native", None)  # stand-in values reach the pure path only (test_native: the C)
    ids = ["e", "d", "c", "b", "a"]
    assert [id for _, id in ranked(ids, "s")] == ["b", "c", "a", "d", "e"]
    assert sample(ids, "s", 3) == ["b", "c", "a"]
    assert sample(sorted(fake, reverse=True), "s", 3) == ["b", "c", "a"]  # a few of many
    weighted = draw_stratum("w", [Candidate(i, 2) for i in ids], 5, SEED, weighted=True)
    assert [p.id for p in weighted.selected] == ["b", "c", "a", "d", "e"]


def test_tickets_sharing_their_first_eight_digits_are_ordered_by_the_rest(monkeypatch):
    # The order is found from each ticket's first eight digits; values equal modulo 10^8 share them.
    base = 12_345_678
    fake = {"p": base + 3 * 10**8, "q": base + 10**8, "r": base + 2 * 10**8, "s": 7, "t": base + 10**9}
    monkeypatch.setattr(tickets, "ticket_values", lambda ids, seed_hex: [fake[i] for i in ids])
    monkeypatch.setattr(tickets, "_native", None)
    expected = sorted(fake, key=lambda i: (str(fake[i]).zfill(64)[::-1], i))
    assert expected == ["s", "t", "q", "r", "p"]  # s = 7 starts "7…", the others "87654321…"
    assert [id for _, id in ranked(list(fake), "x")] == expected
    assert [t for t, _ in ranked(list(fake), "x")] == [str(fake[i]).zfill(64)[::-1] for i in expected]


def test_ticket_order_equals_sorting_whole_tickets():
    # 30,000 ids: a few pairs share their first eight digits, so the repair of the fast order is exercised.
    ids = [f"91130600MA{n:08d}" for n in range(30_000)]
    seed = stratum_seed(SEED, "general")
    digits = tickets.ticket_digits(ids, tickets.seed_hash(seed))
    whole = sorted(zip(digits, ids, strict=True))
    assert sum(a[0][:8] == b[0][:8] for a, b in pairwise(whole)) > 0
    assert ranked(ids, seed) == whole
    assert sample(ids, seed, 500) == [id for _, id in whole[:500]]
