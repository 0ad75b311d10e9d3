"""Selection of targets within one stratum: must-include first, then Rivest tickets or exact PPS.

Every stratum of a draw has its own seed string, ``stratum_seed(draw seed, name)``, published in the
manifest. Its tickets are those of Rivest's ``consistent_sampler`` for that seed string, so anyone can
check an unweighted stratum with the package itself:

    consistent_sampler.sampler(ids, seed=<stratum seed>, take=n, with_replacement=False)

lists the same ids in the same order (``ids`` = the stratum's targets that are not must-include, ``n``
= the quota minus the must-include count).

A weighted stratum (差别化监管) gives target i the inclusion probability π_i = min(1, c·w_i) with
Σπ = n (iterative capping, exact rationals), then selects by systematic sampling over the ticket order
with one uniform U = u / 2^256, u a 256-bit integer hashed from the seed. Integer arithmetic throughout;
exponential keys are not used because their inclusion probabilities are not proportional to the weights.

A target that cannot be inspected (closed, gone) is replaced by the target with the smallest ticket
among those of the stratum not selected and not excluded: the ranked tail beyond the quota is the
substitution order, fixed by the seed before anyone knows who will be missing.

docs/draw-spec.md §4–§6 is the normative description.
"""

import argparse
import hashlib
import heapq
import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate, compress, islice, repeat
from math import gcd, lcm
from operator import eq, le, mul, not_
from typing import Literal, NamedTuple

from shuangsuiji.engine import canonical, tickets

ALGORITHM = "shuangsuiji-draw/1"
UNIFORM_BITS = 256
Via = Literal["must", "ticket", "pps"]


class DrawError(ValueError):
    """Inputs that cannot be drawn as given; the message says which and why."""


class Candidate(NamedTuple):
    """A target eligible in a stratum. ``weight`` matters only in a weighted stratum (a positive integer)."""

    id: str
    weight: int = 1
    must_include: bool = False


class Pick(NamedTuple):
    id: str
    ticket: str
    """Digit string of the Rivest ticket (the fraction is "0." + ticket)."""
    via: Via
    """Why it is in: ``must`` (must-include), ``ticket`` (smallest tickets) or ``pps`` (systematic PPS)."""


@dataclass(frozen=True)
class StratumDraw:
    name: str
    seed: str
    """The stratum's seed string, the one to give ``consistent_sampler``."""
    quota: int
    weighted: bool
    selected: tuple[Pick, ...]
    """Must-include targets in ticket order, then the drawn ones in ticket order."""
    probabilities: tuple[str, ...] | None
    """Weighted strata: each target's exact inclusion probability as "p/q" in lowest terms, in the order of
    the ids the stratum was given."""
    uniform: int | None
    """Weighted strata: u of the systematic sample's U = u / 2^256."""


def stratum_seed(seed_hex: str, name: str) -> str:
    """The seed string of stratum ``name`` in the draw with seed ``seed_hex`` (64 lowercase hex digits)."""
    return f"{ALGORITHM}|{seed_hex}|{name}"


def pps_uniform(seed_hex: str, name: str) -> int:
    """The 256-bit integer u of a weighted stratum; the systematic sample starts at U = u / 2^256."""
    text = f"{ALGORITHM}|{seed_hex}|pps|{name}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def check_name(name: str) -> None:
    """Stratum names are frozen into seed strings, so they must be unambiguous there."""
    if (type(name) is not str or not name or not canonical.all_nfc([name]) or "|" in name
            or any(ord(c) < 0x20 for c in name)):
        raise DrawError(f"stratum name {name!r} must be non-empty NFC text without '|' or control characters")


def check_stratum(name: str, ids: Sequence[str], weights: Sequence[int], musts: Sequence[bool | int], quota: int,
                  weighted: bool, *, plain_ids: bool = False) -> None:
    """Raise DrawError, naming the stratum and the target, unless the stratum can be drawn as given.

    ``plain_ids``: only for the columns the freeze has just made itself (``manifest._frozen_targets``), which
    found on the way that the ids are distinct non-empty NFC strings of type str and made the flags the
    integers 0 and 1: those checks could only pass, so they are not run again (the name, the weights and the
    quota still are). Every other caller leaves it False."""
    check_name(name)
    if not len(ids) == len(weights) == len(musts):
        raise DrawError(f"stratum {name}: ids, weights and must-include flags differ in number")
    # whole-list checks whose loops run in C; the slow search for the culprit only runs on failure
    if not plain_ids and (not set(map(type, ids)) <= {str} or "" in ids or not canonical.all_nfc(ids)):
        bad = next(i for i in ids if type(i) is not str or not i or not canonical.all_nfc([i]))
        raise DrawError(f"stratum {name}: target id {bad!r} must be a non-empty NFC string")
    if not plain_ids and len(set(ids)) != len(ids):
        twice = next(id for id, count in Counter(ids).items() if count > 1)
        raise DrawError(f"stratum {name}: target {twice} is listed twice")
    good = set(map(type, weights)) <= {int} and (min(weights, default=1) >= 1 if weighted
                                                 else weights.count(1) == len(weights))
    if not good:
        expected = "a positive integer" if weighted else "1 in an unweighted stratum"
        id, weight = next((i, w) for i, w in zip(ids, weights, strict=True)
                          if type(w) is not int or w < 1 or (not weighted and w != 1))
        raise DrawError(f"stratum {name}: target {id} has weight {weight!r}; it must be {expected}")
    if not plain_ids and (not set(map(type, musts)) <= {bool, int} or not set(musts) <= {0, 1}):
        raise DrawError(f"stratum {name}: must-include flags must be 0 or 1")
    if type(quota) is not int or not 0 <= quota <= len(ids):
        raise DrawError(f"stratum {name}: quota {quota!r} must be an integer from 0 to {len(ids)}")
    must_count = sum(musts)
    if must_count > quota:
        raise DrawError(f"stratum {name}: {must_count} must-include targets exceed the quota {quota}")


def _ticket_order(ids: Sequence[str], values: Sequence[int], take: int | None = None) -> list[int]:
    """Positions of ``ids`` in ticket order (the first ``take`` only, if given), from their ticket values.

    Sorting by each ticket's first eight digits (``tickets.order_keys``) needs no decimal text; positions
    whose first eight digits are equal are then ordered by the whole ticket and, for equal tickets (equal
    SHA-256 digests), by id (spec §4). For a few of many, the eight-digit key of the take-th smallest
    bounds the candidates (a larger key is a larger ticket), so only those are sorted.
    """
    keys = tickets.order_keys(values)
    positions: Iterable[int] = range(len(keys))
    if take is not None and take * 8 < len(keys):
        if take <= 0:
            return []
        bound = heapq.nsmallest(take, keys)[-1]
        positions = compress(positions, map(le, keys, repeat(bound)))  # key <= bound (operator: no slot wrapper)
    order = sorted(positions, key=keys.__getitem__)
    ordered = list(map(keys.__getitem__, order))
    same = compress(range(1, len(ordered)), map(eq, ordered, islice(ordered, 1, None)))
    runs: list[list[int]] = []
    for k in same:  # order[k - 1] and order[k] share their first eight digits
        if runs and runs[-1][1] == k - 1:
            runs[-1][1] = k
        else:
            runs.append([k - 1, k])
    for first, last in runs:
        order[first:last + 1] = sorted(order[first:last + 1],
                                       key=lambda p: (tickets.value_digits(values[p]), ids[p]))
    return order if take is None else order[:take]


def _native_order(ids: Sequence[str], seed_hex: str, take: int | None) -> list[int] | None:
    """``_ticket_order`` of the ids' own tickets by the C accelerator, or None when the pure path must
    answer: no accelerator, or ids it does not take (not a list or tuple of str), for which the pure path
    raises what it always raised."""
    native = tickets._native
    if native is None:
        return None
    try:
        return native.ticket_order(seed_hex, ids, take)
    except TypeError:
        return None


def _ordered(ids: Sequence[str], seed: str, take: int | None = None) -> list[tuple[str, str]]:
    """(ticket, id) of the ids in ticket order, all or the first ``take``: by the C accelerator, which
    only orders, with the digits of those it returns written here; or all in Python."""
    picked, digits = _ordered_columns(ids, seed, take)
    return list(zip(digits, picked, strict=True))


def _ordered_columns(ids: Sequence[str], seed: str, take: int | None = None) -> tuple[list[str], list[str]]:
    """``_ordered`` as two columns: the ids in ticket order and their tickets' digits."""
    seed_hex = tickets.seed_hash(seed)
    order = _native_order(ids, seed_hex, take)
    if order is not None:
        picked = [ids[k] for k in order]
        return picked, tickets.ticket_digits(picked, seed_hex)
    values = tickets.ticket_values(ids, seed_hex)
    order = _ticket_order(ids, values, take)
    return [ids[k] for k in order], [tickets.value_digits(values[k]) for k in order]


def _picks(ids: Iterable[str], digits: Iterable[str], via: Via) -> Iterator[Pick]:
    """``Pick(id, ticket, via)`` for each id and its ticket's digits, made in C (``tuple.__new__`` is what
    ``Pick`` calls, without its Python-level ``__new__``): a national draw makes two hundred thousand."""
    return map(tuple.__new__, repeat(Pick), zip(ids, digits, repeat(via)))


def ranked(ids: Sequence[str], seed: str) -> list[tuple[str, str]]:
    """(ticket, id) for every id, in ticket order: Rivest's sampling order for ``seed``."""
    return _ordered(ids, seed)


def smallest(ids: Sequence[str], seed: str, take: int) -> list[tuple[str, str]]:
    """The ``take`` smallest (ticket, id) pairs in ticket order, without sorting everything."""
    return _ordered(ids, seed, max(0, take))


def sample(ids: Sequence[str], seed: str, take: int) -> list[str]:
    """``consistent_sampler.sampler(ids, seed=seed, take=take, with_replacement=False)``, ids only."""
    if len(set(ids)) != len(ids):
        raise DrawError("the ids contain duplicates")
    return [id for _, id in smallest(ids, seed, max(0, take))]


def _inclusion(weights: Sequence[int], n: int) -> tuple[list[int], int]:
    """Numerators over one denominator D of π_i = min(1, c·w_i), Σπ_i = n (see ``inclusion_probabilities``)."""
    numerator_of, denominator = _inclusion_table(weights, n)
    return list(map(numerator_of.__getitem__, weights)), denominator


def _inclusion_table(weights: Sequence[int], n: int) -> tuple[dict[int, int], int]:
    """``_inclusion`` as each distinct weight's numerator: π depends on the weight alone (capped or not), and a
    stratum of a million targets has a handful of weights, so the numerators are looked up in C rather than
    computed target by target."""
    distinct = set(weights)
    if n == 0:
        return dict.fromkeys(distinct, 0), 1
    descending = sorted(weights, reverse=True)
    rest = sum(weights)
    capped = 0
    # Unit k of the descending order is capped when its share (n - capped)·w / rest reaches 1; equal weights
    # meet the condition together, so "capped" is exactly "w ≥ the smallest capped weight".
    while capped < n and descending[capped] * (n - capped) >= rest:
        rest -= descending[capped]
        capped += 1
    if capped == len(weights):
        return dict.fromkeys(distinct, 1), 1
    share = n - capped
    # A capped weight w has share·w ≥ rest (the last one capped had w·(share + 1) ≥ rest + w) and every other
    # has share·w < rest (the loop stopped at the largest of them), so min() caps exactly the capped units.
    return {w: share * w if share * w < rest else rest for w in distinct}, rest


def inclusion_probabilities(weights: Sequence[int], n: int) -> list[Fraction]:
    """π_i = min(1, c·w_i) with Σπ_i = n, exactly, for positive integer weights (0 ≤ n ≤ len(weights)).

    The largest weights are capped at 1 one by one while c·w ≥ 1 for them; what remains of n is shared in
    proportion to the other weights. Every π_i > 0 when n > 0.
    """
    if not 0 <= n <= len(weights):
        raise DrawError(f"cannot take {n} of {len(weights)}")
    if any(type(w) is not int or w < 1 for w in weights):
        raise DrawError("weights must be positive integers")
    numerators, denominator = _inclusion(weights, n)
    return [Fraction(p, denominator) for p in numerators]


def _systematic(numerators: Sequence[int], denominator: int, first: int) -> list[int]:
    """Systematic selection over cumulative sums A_k of the numerators (π_k = numerator / D): the point
    U + j lies in unit k exactly when A_k ≤ f + j·D < A_(k+1), where f = ⌊U·D⌋ — small integers only.
    Each point's unit is found by bisection in the sums (every π ≤ 1, so no unit holds two points)."""
    return _systematic_bounds(list(accumulate(numerators)), denominator, first)


def _systematic_bounds(bounds: Sequence[int], denominator: int, first: int) -> list[int]:
    """``_systematic`` from the cumulative sums of the numerators: the points f, f + D, … below the total, each
    found in the sums by bisection (in C: a weighted stratum of a national quarter takes a hundred thousand)."""
    total = bounds[-1] if bounds else 0
    return list(map(bisect_right, repeat(bounds), range(first, total, denominator)))


def systematic(pis: Sequence[Fraction], u: Fraction) -> list[int]:
    """Indices selected by systematic sampling: unit k is taken when some U + j (j = 0, 1, …) falls in
    [C_k, C_k + π_k), C_k = π_0 + … + π_(k-1). Needs 0 ≤ U < 1, every π ≤ 1 and Σπ an integer."""
    if not 0 <= u < 1:
        raise DrawError("U must lie in [0, 1)")
    if any(not 0 <= pi <= 1 for pi in pis):
        raise DrawError("inclusion probabilities must lie in [0, 1]")
    denominator = lcm(1, *(pi.denominator for pi in pis))
    numerators = [pi.numerator * (denominator // pi.denominator) for pi in pis]
    if sum(numerators) % denominator:
        raise DrawError("the inclusion probabilities do not sum to an integer")
    return _systematic(numerators, denominator, u.numerator * denominator // u.denominator)


def draw_stratum(name: str, candidates: Sequence[Candidate], quota: int, seed_hex: str,
                 weighted: bool = False) -> StratumDraw:
    """Select ``quota`` targets of one stratum from the draw seed (64 lowercase hex digits)."""
    return select(name, [c.id for c in candidates], [c.weight for c in candidates],
                  [c.must_include for c in candidates], quota, seed_hex, weighted)


def select(name: str, ids: Sequence[str], weights: Sequence[int], musts: Sequence[bool | int], quota: int,
           seed_hex: str, weighted: bool = False) -> StratumDraw:
    """``draw_stratum`` on parallel lists (id, weight, must-include flag), as the manifest stores them."""
    check_stratum(name, ids, weights, musts, quota, weighted)
    return select_checked(name, ids, weights, musts, quota, seed_hex, weighted)


def select_checked(name: str, ids: Sequence[str], weights: Sequence[int], musts: Sequence[bool | int], quota: int,
                   seed_hex: str, weighted: bool = False) -> StratumDraw:
    """``select`` for a stratum that ``check_stratum`` has passed with these very lists: a manifest's inputs
    are read strictly first, and a national draw need not walk two million targets twice more."""
    seed = stratum_seed(seed_hex, name)
    if any(musts):
        must_ids = list(compress(ids, musts))
        others = list(compress(ids, map(not_, musts)))  # ids are distinct (checked)
    else:
        must_ids, others = [], ids if type(ids) is list else list(ids)  # only read
    must_picks = list(_picks(*_ordered_columns(must_ids, seed), "must")) if must_ids else []
    wanted = quota - len(must_ids)
    if not weighted:
        drawn = _picks(*_ordered_columns(others, seed, max(0, wanted)), "ticket")
        return StratumDraw(name, seed, quota, False, (*must_picks, *drawn), None, None)
    # the weights are only read here: those of the others are the stratum's own when none is must-include
    other_weights = list(compress(weights, map(not_, musts))) if must_ids else weights
    seed_hash = tickets.seed_hash(seed)
    values: list[int] | None = None  # the pure path's, for the digits of the chosen
    order = _native_order(others, seed_hash, None)
    if order is None:
        values = tickets.ticket_values(others, seed_hash)
        order = _ticket_order(others, values)
    numerator_of, denominator = _inclusion_table(other_weights, wanted)
    u = pps_uniform(seed_hex, name)
    first = (u * denominator) >> UNIFORM_BITS
    # in C, the running sums are walked rather than made: a national quarter's weighted strata hold 1.6 million
    # targets, and only a few dozen points of each are looked for in them
    chosen = (tickets._native.systematic_walk(order, other_weights, numerator_of, denominator, first)
              if tickets._native is not None and type(order) is list and type(other_weights) is list else None)
    if chosen is None:
        # the numerators in ticket order, summed as they are looked up (π depends on the weight alone)
        bounds = list(accumulate(map(numerator_of.__getitem__, map(other_weights.__getitem__, order))))
        chosen = _systematic_bounds(bounds, denominator, first)
    chosen_ids = [others[order[k]] for k in chosen]
    chosen_digits = (tickets.ticket_digits(chosen_ids, seed_hash) if values is None
                     else [tickets.value_digits(values[order[k]]) for k in chosen])
    drawn = _picks(chosen_ids, chosen_digits, "pps")
    # each distinct weight's fraction is written once
    texts = {0: "1/1"}  # a must-include target is looked up as weight 0 (real weights are at least 1)
    for w, p in numerator_of.items():
        common = gcd(p, denominator)
        texts[w] = f"{p // common}/{denominator // common}"
    probabilities = tuple(map(texts.__getitem__, map(mul, weights, map(not_, musts)) if must_ids else weights))
    return StratumDraw(name, seed, quota, True, (*must_picks, *drawn), probabilities, u)


def replacement(draw: StratumDraw, ids: Sequence[str], unavailable: Iterable[str]) -> Pick | None:
    """The fixed substitute for a target of this stratum that cannot be inspected: the smallest ticket
    among the stratum's targets (``ids``) that are neither selected now nor unavailable. None when none is
    left."""
    excluded = {pick.id for pick in draw.selected} | set(unavailable)
    best = smallest([id for id in ids if id not in excluded], draw.seed, 1)
    return Pick(best[0][1], best[0][0], "ticket") if best else None


# --- command line ---------------------------------------------------------------------------------


def add_cli(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "sample",
        help="consistent sampling: ids (one per line) on stdin, the selected ids in ticket order on stdout",
        description="Prints the same ids in the same order as consistent_sampler.sampler(ids, seed=SEED, "
                    "take=N, with_replacement=False). Empty lines are ignored; ids are taken exactly as written and "
                    "must be distinct, in NFC, without spaces around them, and at least N (docs/draw-spec.md §5).",
    )
    parser.add_argument("--seed", required=True, help="the seed string (e.g. a stratum seed from a manifest)")
    parser.add_argument("--take", required=True, type=_count, help="how many ids to select (0 to the number of ids)")
    parser.set_defaults(func=_run_sample)


def _stdin_ids(data: bytes, take: int) -> list[str]:
    """The ids of the lines of ``data`` (empty lines ignored, a CRLF ending taken off), or DrawError when they
    are no valid stratum of spec §5 for ``take``.

    Bytes are decoded as UTF-8 whatever the locale: the ids must hash exactly as the package hashes them. An id
    is taken exactly as written, so one with spaces around it (or not in NFC, spec §2) is refused naming its
    line rather than changed: trimmed, it would be another id with another ticket. ``take`` beyond the ids
    given once printed them all and exited 0, as if the quota had been met; spec §5 makes it invalid.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DrawError(f"stdin is not UTF-8 text (byte {error.start}): ids are read as UTF-8") from None
    ids = []
    for number, line in enumerate(text.split("\n"), 1):
        id = line.removesuffix("\r")
        if not id:
            continue
        if id != id.strip():
            raise DrawError(f"line {number}: id {id!r} has spaces around it; ids are taken exactly as written")
        if not canonical.all_nfc([id]):
            raise DrawError(f"line {number}: id {id!r} is not in Unicode NFC (docs/draw-spec.md §2)")
        ids.append(id)
    if take > len(ids):
        raise DrawError(f"--take {take} is more than the {len(ids)} id(s) given; docs/draw-spec.md §5 needs "
                        "0 ≤ take ≤ the number of ids")
    return ids


def _count(text: str) -> int:
    """--take: a whole number of ids, 0 or more (a negative one once printed nothing, as if none were drawn)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; the number of ids to select is 0 or more")
    return value


def _run_sample(args: argparse.Namespace) -> int:
    try:
        ids = _stdin_ids(sys.stdin.buffer.read(), args.take)
        chosen = sample(ids, args.seed, args.take)
    except DrawError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write("".join(f"{id}\n" for id in chosen).encode("utf-8"))
    return 0
