"""Risk weighting: exact inclusion probabilities, and systematic PPS that realises them exactly.

The systematic design's probabilities can be computed exactly: the selection is a step function of U, so
enumerating the intervals between the fractional parts of the cumulative sums gives each unit's probability
as a sum of interval lengths, which must equal its π. A simulation over many seeds checks the whole
weighted draw (tickets, uniform, arithmetic) against the published π statistically.
"""

import itertools
import json
import math
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine.canonical import fraction_text, parse_fraction
from shuangsuiji.engine.sampling import (
    Candidate,
    DrawError,
    draw_stratum,
    inclusion_probabilities,
    pps_uniform,
    ranked,
    systematic,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "draw-vectors.json").read_text(encoding="utf-8"))

weight_lists = st.lists(st.integers(1, 50), min_size=1, max_size=12)


def test_vectors():
    for case in VECTORS["inclusion_probabilities"]:
        expected = [parse_fraction(p) for p in case["probabilities"]]
        assert inclusion_probabilities(case["weights"], case["n"]) == expected
    for case in VECTORS["systematic"]:
        pis = [parse_fraction(p) for p in case["probabilities"]]
        assert systematic(pis, parse_fraction(case["u"])) == case["selected"]


def test_research_example():
    # research notes §2.2: weights 1, 2, 3, 4, 10 and n = 2 → 0.1, 0.2, 0.3, 0.4, 1
    assert inclusion_probabilities([1, 2, 3, 4, 10], 2) == [Fraction(1, 10), Fraction(1, 5), Fraction(3, 10),
                                                            Fraction(2, 5), Fraction(1)]


@settings(max_examples=300)
@given(weights=weight_lists, data=st.data())
def test_probabilities_are_exact_capped_and_proportional(weights, data):
    n = data.draw(st.integers(0, len(weights)))
    pis = inclusion_probabilities(weights, n)
    assert sum(pis) == n
    assert all(0 <= pi <= 1 for pi in pis)
    if n:
        assert all(pi > 0 for pi in pis)
    free = [(w, pi) for w, pi in zip(weights, pis, strict=True) if pi < 1]
    if free:
        c = free[0][1] / free[0][0]
        assert all(pi == c * w for w, pi in free)  # proportional to the weight below the cap
        assert all(c * w >= 1 for w, pi in zip(weights, pis, strict=True) if pi == 1)  # capped only when c·w ≥ 1


def test_a_dominant_weight_is_capped():
    pis = inclusion_probabilities([1000, 1, 1, 1, 1], 2)
    assert pis == [Fraction(1)] + [Fraction(1, 4)] * 4


def test_invalid_weights_and_sizes():
    with pytest.raises(DrawError):
        inclusion_probabilities([1, 0, 2], 1)
    with pytest.raises(DrawError):
        inclusion_probabilities([1, 2], 3)
    with pytest.raises(DrawError):
        systematic([Fraction(1, 2), Fraction(1, 3)], Fraction(0))
    with pytest.raises(DrawError):
        systematic([Fraction(1, 2), Fraction(1, 2)], Fraction(1))


def exact_design(pis: list[Fraction]) -> tuple[list[Fraction], set[int]]:
    """Every unit's probability under U uniform on [0, 1), by enumerating the intervals where the
    selection is constant; and the set of sample sizes that occur."""
    cuts = {Fraction(0), Fraction(1)}
    total = Fraction(0)
    for pi in pis:
        total += pi
        cuts.add(total - math.floor(total))
    cuts_sorted = sorted(cuts)
    probability = [Fraction(0)] * len(pis)
    sizes = set()
    for low, high in itertools.pairwise(cuts_sorted):
        chosen = systematic(pis, low)  # the selection is constant on [low, high)
        assert systematic(pis, (low + high) / 2) == chosen
        sizes.add(len(chosen))
        for k in chosen:
            probability[k] += high - low
    return probability, sizes


@settings(max_examples=200)
@given(weights=weight_lists, data=st.data())
def test_systematic_realises_every_probability_exactly(weights, data):
    n = data.draw(st.integers(0, len(weights)))
    pis = inclusion_probabilities(weights, n)
    probability, sizes = exact_design(pis)
    assert probability == pis
    assert sizes == {n}


def test_weighted_stratum_record():
    candidates = [Candidate(f"G{n:02d}", 1 + n % 5, n == 0) for n in range(20)]
    seed = "ab" * 32
    drawn = draw_stratum("general", candidates, 5, seed, weighted=True)
    assert drawn.probabilities is not None and drawn.uniform == pps_uniform(seed, "general")
    published = dict(zip((c.id for c in candidates), drawn.probabilities, strict=True))
    assert published["G00"] == "1/1"
    assert sum(parse_fraction(pi) for pi in published.values()) == 5
    assert drawn.selected[0].id == "G00" and len(drawn.selected) == 5
    others = [c for c in candidates if not c.must_include]
    order = [id for _, id in ranked([c.id for c in others], drawn.seed)]
    pis = inclusion_probabilities([{c.id: c.weight for c in others}[id] for id in order], 4)
    expected = [order[k] for k in systematic(pis, Fraction(drawn.uniform, 2**256))]
    assert [p.id for p in drawn.selected[1:]] == expected
    assert all(p.via == "pps" for p in drawn.selected[1:])
    assert published["G04"] == "20/59"  # weight 5 of Σ 59 over the 19 others, n' = 4
    assert [published[id] for id in order] == [fraction_text(pi) for pi in pis]


def test_weighted_draws_hit_the_published_probabilities_over_many_seeds():
    weights = [1, 2, 3, 4, 10, 1, 1, 6]
    candidates = [Candidate(f"W{n}", w) for n, w in enumerate(weights)]
    pis = dict(zip((c.id for c in candidates), inclusion_probabilities(weights, 3), strict=True))
    runs = 4000
    counts: Counter[str] = Counter()
    for r in range(runs):
        seed = f"{r:064x}"
        for pick in draw_stratum("general", candidates, 3, seed, weighted=True).selected:
            counts[pick.id] += 1
    for id, pi in pis.items():
        expected = float(pi) * runs
        spread = math.sqrt(runs * float(pi) * (1 - float(pi)))
        assert abs(counts[id] - expected) <= 5 * spread + 1e-9, (id, counts[id], expected)
    assert pis["W4"] == 1 and counts["W4"] == runs


@settings(max_examples=150)
@given(rows=st.lists(st.tuples(st.integers(1, 30), st.booleans()), max_size=25),
       seed=st.binary(min_size=32, max_size=32).map(bytes.hex), data=st.data())
def test_weighted_strata_meet_quota_and_must_include(rows, seed, data):
    candidates = [Candidate(f"T{n:02d}", w, must) for n, (w, must) in enumerate(rows)]
    musts = {c.id for c in candidates if c.must_include}
    quota = data.draw(st.integers(len(musts), len(candidates)))
    drawn = draw_stratum("general", candidates, quota, seed, weighted=True)
    ids = [p.id for p in drawn.selected]
    assert len(ids) == quota == len(set(ids))
    assert set(ids[:len(musts)]) == musts and all(p.via == "pps" for p in drawn.selected[len(musts):])
    assert drawn.probabilities is not None
    pis = {c.id: parse_fraction(p) for c, p in zip(candidates, drawn.probabilities, strict=True)}
    assert sum(pis.values()) == quota and all(pis[id] == 1 for id in musts)
    if quota > len(musts):
        assert all(pi > 0 for pi in pis.values())
    assert draw_stratum("general", list(reversed(candidates)), quota, seed, weighted=True).selected == drawn.selected


@given(weights=weight_lists, data=st.data())
def test_systematic_by_bisection_equals_the_walk_over_every_unit(weights, data):
    # The selection finds each point's unit by bisection in the cumulative sums; the specification's
    # wording walks every unit. Both must give the same units for every U.
    from shuangsuiji.engine.sampling import _inclusion, _systematic

    n = data.draw(st.integers(0, len(weights)))
    numerators, denominator = _inclusion(weights, n)
    first = data.draw(st.integers(0, denominator - 1))
    walked, cumulative, point = [], 0, first
    for k, p in enumerate(numerators):
        cumulative += p
        if cumulative > point:
            walked.append(k)
            point += denominator
    assert _systematic(numerators, denominator, first) == walked
