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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, NamedTuple

from shuangsuiji.engine import tickets
from shuangsuiji.engine.canonical import nfc

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
    probabilities: dict[str, Fraction] | None
    """Weighted strata: every eligible target's exact inclusion probability."""
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
    if not name or name != nfc(name) or "|" in name or any(ord(c) < 0x20 for c in name):
        raise DrawError(f"stratum name {name!r} must be non-empty NFC text without '|' or control characters")


def check_candidates(name: str, candidates: Sequence[Candidate], quota: int, weighted: bool) -> None:
    check_name(name)
    seen: set[str] = set()
    musts = 0
    for candidate in candidates:
        if not isinstance(candidate.id, str) or not candidate.id or candidate.id != nfc(candidate.id):
            raise DrawError(f"stratum {name}: target id {candidate.id!r} must be a non-empty NFC string")
        if candidate.id in seen:
            raise DrawError(f"stratum {name}: target {candidate.id} is listed twice")
        seen.add(candidate.id)
        weight = candidate.weight
        if type(weight) is not int or weight < 1 or (not weighted and weight != 1):
            expected = "a positive integer" if weighted else "1 in an unweighted stratum"
            raise DrawError(f"stratum {name}: target {candidate.id} has weight {weight!r}; it must be {expected}")
        musts += bool(candidate.must_include)
    if type(quota) is not int or not 0 <= quota <= len(candidates):
        raise DrawError(f"stratum {name}: quota {quota!r} must be an integer from 0 to {len(candidates)}")
    if musts > quota:
        raise DrawError(f"stratum {name}: {musts} must-include targets exceed the quota {quota}")


def ranked(ids: Iterable[str], seed: str) -> list[tuple[str, str]]:
    """(ticket, id) for every id, in ticket order: Rivest's sampling order for ``seed``."""
    ids = list(ids)
    return sorted(zip(tickets.ticket_digits(ids, tickets.seed_hash(seed)), ids, strict=True))


def smallest(ids: Sequence[str], seed: str, take: int) -> list[tuple[str, str]]:
    """The ``take`` smallest (ticket, id) pairs in ticket order, without sorting everything."""
    pairs = zip(tickets.ticket_digits(ids, tickets.seed_hash(seed)), ids, strict=True)
    if take * 8 < len(ids):
        return heapq.nsmallest(take, pairs)
    return sorted(pairs)[:take]


def sample(ids: Sequence[str], seed: str, take: int) -> list[str]:
    """``consistent_sampler.sampler(ids, seed=seed, take=take, with_replacement=False)``, ids only."""
    if len(set(ids)) != len(ids):
        raise DrawError("the ids contain duplicates")
    return [id for _, id in smallest(ids, seed, max(0, take))]


def inclusion_probabilities(weights: Sequence[int], n: int) -> list[Fraction]:
    """π_i = min(1, c·w_i) with Σπ_i = n, exactly, for positive integer weights (0 ≤ n ≤ len(weights)).

    The largest weights are capped at 1 one by one while c·w ≥ 1 for them; what remains of n is shared in
    proportion to the other weights. Every π_i > 0 when n > 0.
    """
    if not 0 <= n <= len(weights):
        raise DrawError(f"cannot take {n} of {len(weights)}")
    if any(type(w) is not int or w < 1 for w in weights):
        raise DrawError("weights must be positive integers")
    if n == 0:
        return [Fraction(0)] * len(weights)
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    rest = sum(weights)
    capped = 0
    # Unit k of the descending order is capped when its share (n - capped)·w / rest reaches 1.
    while capped < n and weights[order[capped]] * (n - capped) >= rest:
        rest -= weights[order[capped]]
        capped += 1
    share = n - capped
    pis = [Fraction(share * w, rest) if rest else Fraction(0) for w in weights]
    for i in order[:capped]:
        pis[i] = Fraction(1)
    return pis


def systematic(pis: Sequence[Fraction], u: Fraction) -> list[int]:
    """Indices selected by systematic sampling: unit k is taken when some U + j (j = 0, 1, …) falls in
    [C_k, C_k + π_k), C_k = π_0 + … + π_(k-1). Needs 0 ≤ U < 1, every π ≤ 1 and Σπ an integer."""
    if not 0 <= u < 1:
        raise DrawError("U must lie in [0, 1)")
    denominator = 1
    for pi in pis:
        if not 0 <= pi <= 1:
            raise DrawError(f"inclusion probability {pi} outside [0, 1]")
        denominator = denominator * pi.denominator // _gcd(denominator, pi.denominator)
    # With everything over one denominator D, the points U + j sit at (u_num·D/u_den + j·D) on the integer
    # line of the scaled cumulative sums; ceil((A - U·D)/D) counts the points below A.
    scale = denominator * u.denominator
    offset = u.numerator * denominator

    def points_below(cumulative: int) -> int:
        return -((offset - cumulative * u.denominator) // scale)

    selected = []
    cumulative = 0
    below = points_below(0)
    for k, pi in enumerate(pis):
        cumulative += pi.numerator * (denominator // pi.denominator)
        now = points_below(cumulative)
        if now > below:
            selected.append(k)
        below = now
    if cumulative % denominator:
        raise DrawError("the inclusion probabilities do not sum to an integer")
    return selected


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def draw_stratum(name: str, candidates: Sequence[Candidate], quota: int, seed_hex: str,
                 weighted: bool = False) -> StratumDraw:
    """Select ``quota`` targets of one stratum from the draw seed (64 lowercase hex digits)."""
    check_candidates(name, candidates, quota, weighted)
    seed = stratum_seed(seed_hex, name)
    musts = [c.id for c in candidates if c.must_include]
    others = [c for c in candidates if not c.must_include]
    must_picks = [Pick(id, ticket, "must") for ticket, id in ranked(musts, seed)]
    wanted = quota - len(musts)
    if not weighted:
        drawn = [Pick(id, ticket, "ticket") for ticket, id in smallest([c.id for c in others], seed, wanted)]
        return StratumDraw(name, seed, quota, False, (*must_picks, *drawn), None, None)
    order = ranked([c.id for c in others], seed)
    weight = {c.id: c.weight for c in others}
    pis = inclusion_probabilities([weight[id] for _, id in order], wanted)
    u = pps_uniform(seed_hex, name)
    chosen = systematic(pis, Fraction(u, 1 << UNIFORM_BITS))
    drawn = [Pick(order[k][1], order[k][0], "pps") for k in chosen]
    probabilities = {id: Fraction(1) for id in musts}
    probabilities.update((id, pi) for (_, id), pi in zip(order, pis, strict=True))
    return StratumDraw(name, seed, quota, True, (*must_picks, *drawn), probabilities, u)


def replacement(draw: StratumDraw, candidates: Sequence[Candidate], unavailable: Iterable[str]) -> Pick | None:
    """The fixed substitute for a target of this stratum that cannot be inspected: the smallest ticket
    among the stratum's targets that are neither selected now nor unavailable. None when none is left."""
    excluded = {pick.id for pick in draw.selected} | set(unavailable)
    pool = [c.id for c in candidates if c.id not in excluded]
    best = smallest(pool, draw.seed, 1)
    return Pick(best[0][1], best[0][0], "ticket") if best else None


# --- command line ---------------------------------------------------------------------------------


def add_cli(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "sample",
        help="consistent sampling: ids (one per line) on stdin, the selected ids in ticket order on stdout",
        description="Prints the same ids in the same order as consistent_sampler.sampler(ids, seed=SEED, "
                    "take=N, with_replacement=False). Empty lines are ignored; ids must be distinct.",
    )
    parser.add_argument("--seed", required=True, help="the seed string (e.g. a stratum seed from a manifest)")
    parser.add_argument("--take", required=True, type=int, help="how many ids to select")
    parser.set_defaults(func=_run_sample)


def _run_sample(args: argparse.Namespace) -> int:
    # Bytes decoded as UTF-8 whatever the locale: the ids must hash exactly as the package hashes them.
    lines = sys.stdin.buffer.read().decode("utf-8").split("\n")
    ids = [line.removesuffix("\r") for line in lines if line.removesuffix("\r")]
    try:
        chosen = sample(ids, args.seed, args.take)
    except DrawError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write("".join(f"{id}\n" for id in chosen).encode("utf-8"))
    return 0
