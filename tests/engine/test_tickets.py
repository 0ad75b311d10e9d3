"""Tickets: exactly Rivest's consistent_sampler first tickets, exact order, independent of the other targets."""

import json
from pathlib import Path

import consistent_sampler
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import tickets

VECTORS = json.loads((Path(__file__).parent / "vectors" / "draw-vectors.json").read_text(encoding="utf-8"))

ids = st.text(min_size=1, max_size=24)
seeds = st.text(max_size=40)


def test_research_vectors():
    rivest = VECTORS["rivest"]
    # sha256_uniform(x) is the ticket of id x under an empty seed prefix
    uniform = rivest["sha256_uniform"]
    assert "0." + tickets.ticket_digits([uniform["input"]], "")[0] == uniform["output"]
    assert rivest["sha256_uniform"]["output"].startswith("0.56998071861792858926")
    case = rivest["first_fraction"]
    assert tickets.first_fraction(case["id"], case["seed"]) == case["output"]
    assert case["output"].startswith("0.26299714122838008416")


def test_stratum_vector_tickets():
    vector = VECTORS["stratum_tickets"]
    for entry in vector["tickets"]:
        assert tickets.first_fraction(entry["id"], vector["stratum_seed"]) == entry["ticket"]


def test_tickets_vary_in_length_and_compare_as_text():
    # 2^256 has 78 decimal digits: most tickets are longer than 64 digits, some shorter ones are padded
    sample = tickets.ticket_digits([f"id-{n}" for n in range(2000)], tickets.seed_hash("length"))
    lengths = {len(t) for t in sample}
    assert max(lengths) == 78 and min(lengths) < 78
    assert all(t.isdigit() for t in sample)


@settings(max_examples=300)
@given(id=ids, seed=seeds)
def test_first_fraction_matches_the_package(id, seed):
    assert tickets.first_fraction(id, seed) == consistent_sampler.first_fraction(id, seed)


@settings(max_examples=100)
@given(batch=st.lists(ids, max_size=30), seed=seeds)
def test_batch_equals_one_by_one(batch, seed):
    digits = tickets.ticket_digits(batch, tickets.seed_hash(seed))
    assert digits == [tickets.digits(id, seed) for id in batch]


@settings(max_examples=100)
@given(batch=st.lists(ids, min_size=2, max_size=30, unique=True), seed=seeds, data=st.data())
def test_adding_or_removing_a_target_changes_no_other_ticket(batch, seed, data):
    removed = data.draw(st.sampled_from(batch))
    added = data.draw(ids.filter(lambda i: i not in batch))
    head = tickets.seed_hash(seed)
    full = dict(zip(batch, tickets.ticket_digits(batch, head), strict=True))
    smaller = [id for id in batch if id != removed]
    assert dict(zip(smaller, tickets.ticket_digits(smaller, head), strict=True)) == {
        id: t for id, t in full.items() if id != removed}
    larger = [*batch, added]
    assert dict(zip(larger, tickets.ticket_digits(larger, head), strict=True)) == {
        **full, added: tickets.digits(added, seed)}


def test_a_different_seed_gives_different_tickets():
    batch = [f"91130600MA0{n:07d}" for n in range(50)]
    assert tickets.ticket_digits(batch, tickets.seed_hash("a")) != tickets.ticket_digits(batch, tickets.seed_hash("b"))
