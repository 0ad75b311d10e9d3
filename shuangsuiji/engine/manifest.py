"""The draw and its manifest: freeze, commit, public randomness, draw, substitute, seal, verify.

The ceremony of DESIGN §4, as plain data in and plain data out (docs/draw-spec.md is normative):

1. ``freeze(plan, policy, strata, assignment)`` → the canonical inputs; ``inputs_hash`` is published.
   ``freeze_inputs`` does both at once and returns a ``FrozenInputs`` (canonical bytes, their hash and
   the checked value), which a draw in the same process takes without reading or writing the inputs again.
2. ``new_secret()`` → 32 bytes the bureau keeps; ``commitment(secret)`` is published before any public
   randomness is known.
3. A public value nobody here controls is recorded: ``dice(...)``, ``lottery(...)`` or ``drand(...)``.
4. ``draw(inputs, secret, public, published=inputs_hash)`` → the complete manifest: seed = SHA-256 over
   the inputs hash, the secret and the public value; every stratum's selection; the inspector assignment
   (``shuangsuiji.engine.assignment``, docs/assignment-spec.md) of the selected targets. Stored inputs are
   read strictly again and must hash to the published inputs hash. ``draw_canonical`` also returns the
   manifest's canonical bytes, written in the same call.
5. ``seal(manifest)`` is what is published at the draw (no secret; no list unless the policy allows);
   the complete manifest is published after the inspections. ``substitute(manifest, target, reason)``
   replaces a target that cannot be inspected by the fixed rule and records it.
6. ``verify(manifest)`` recomputes everything and lists each difference; ``tools/verify_draw.py`` is an
   independent implementation of the same checks needing nothing but Python's standard library.
"""

import argparse
import hashlib
import json
import re
import secrets
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain, islice
from operator import attrgetter, le, lt
from typing import Any, overload

from shuangsuiji.engine import assignment, canonical, tickets
from shuangsuiji.engine.canonical import CanonicalError, nfc
from shuangsuiji.engine.quotas import QuarterQuotas
from shuangsuiji.engine.sampling import (
    ALGORITHM,
    Candidate,
    DrawError,
    Pick,
    StratumDraw,
    check_name,
    check_stratum,
    replacement,
    select_checked,
)

SEED_TAG = ALGORITHM.encode("ascii") + b"\x00"
"""The seed's domain tag: the algorithm version in ASCII and one zero byte (spec §3)."""
SECRET_BYTES = 32
LEVELS = ("city", "county")
PUBLIC_KINDS = ("dice", "lottery", "drand")

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_day(value: Any) -> bool:
    """A date as draw-spec §2 writes it: ten ASCII characters naming a real day ("2021-02-30", "2021-06-25\\n"
    and full-width digits are not)."""
    if type(value) is not str or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_NEEDS = ("departments", "specialties", "expert_specialties")


# --- the inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Which plan this draw is for: one jurisdiction, one level, one quarter (DESIGN §2 ``Plan``)."""

    jurisdiction: str
    """The jurisdiction's 6-digit administrative code."""
    level: str
    year: int
    quarter: int
    sequence: int = 1
    """1 for the plan's first draw; a re-draw (approved, with a reason) takes the next number."""
    supersedes: str = ""
    """For a re-draw: the inputs hash of the draw it replaces, which stays published."""
    reason: str = ""
    """For a re-draw: the recorded, approved reason."""


@dataclass(frozen=True)
class PolicyRef:
    id: str
    version: int
    fingerprint: str

    @classmethod
    def of(cls, policy: Any) -> "PolicyRef":
        """From a loaded ``shuangsuiji.engine.policy.Policy``."""
        return cls(policy.id, policy.version, policy.fingerprint)


@dataclass(frozen=True)
class Needs:
    """What every task of a stratum's selected targets requires of its team (assignment spec §3)."""

    departments: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    expert_specialties: tuple[str, ...] = ()


class TargetColumns(Sequence[tuple[str, int, bool]]):
    """A stratum's targets as three columns: ids, weights and must-include flags (0/1 or booleans).

    What ``strata_from_quotas`` gives a stratum: a national quarter has two million targets, which the freeze
    reads column by column instead of as millions of tuples. As a sequence it is (id, weight, must_include) per
    target. The freeze copies the columns and checks every value, as it does a list of tuples."""

    __slots__ = ("ids", "musts", "weights")

    def __init__(self, ids: Sequence[str], weights: Sequence[int], musts: Sequence[bool | int]) -> None:
        if not len(ids) == len(weights) == len(musts):
            raise ValueError("ids, weights and must-include flags differ in number")
        self.ids, self.weights, self.musts = ids, weights, musts

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, k: int) -> tuple[str, int, bool]: ...

    @overload
    def __getitem__(self, k: slice) -> list[tuple[str, int, bool]]: ...

    def __getitem__(self, k: int | slice) -> tuple[str, int, bool] | list[tuple[str, int, bool]]:
        if isinstance(k, slice):
            return list(zip(self.ids[k], self.weights[k], self.musts[k], strict=True))
        return self.ids[k], self.weights[k], self.musts[k]  # type: ignore[return-value]

    def __iter__(self) -> Iterator[tuple[str, int, bool]]:
        return zip(self.ids, self.weights, self.musts, strict=True)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"TargetColumns({self.ids!r}, {self.weights!r}, {self.musts!r})"


@dataclass(frozen=True)
class StratumInput:
    name: str
    quota: int
    targets: Sequence[Candidate | tuple[str, int, bool]]
    """(id, weight, must_include) per eligible target; ``Candidate``, a plain tuple, or ``TargetColumns``."""
    weighted: bool = False
    needs: Needs = field(default_factory=Needs)


@dataclass(frozen=True)
class AssignmentInputs:
    """The inspector pool and everything the assignment of the selected targets depends on."""

    draw_date: date
    deadline: date
    """The day the quarter's inspections must be done by; certificates must be valid through it."""
    team_size: int
    """Certified officers per team at least (the policy's ``inspection_team.min_officers``)."""
    max_load: int
    inspectors: Sequence[assignment.Inspector]
    recent_pairs: Sequence[tuple[str, str]] = ()
    recusals: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Target id → inspector ids who must not inspect it (回避)."""


def freeze(plan: Plan, policy: PolicyRef, strata: Sequence[StratumInput],
           assignment_inputs: AssignmentInputs | None = None) -> dict[str, Any]:
    """The canonical inputs of a draw: normalised (NFC, sorted) and checked; hash them with ``inputs_hash``."""
    inputs, made = _inputs(plan, policy, strata, assignment_inputs)
    _read_inputs(inputs, made=made)
    return inputs


class FrozenInputs:
    """A draw's inputs as ``freeze_inputs`` checked them: their canonical JSON bytes (``canonical``) and its
    SHA-256 (``digest``, the inputs hash to publish), ready to be drawn without being read or written again.

    Only ``freeze_inputs`` makes one, from the inputs it has just built and checked; the bytes are immutable
    and the checked value is kept out of reach until ``draw`` takes it, so the draw can trust it: what it
    draws from, the hash it seeds with and the bytes it writes are those the freeze checked. The first draw
    takes the value into its manifest; a later draw of the same object parses the bytes and reads them
    strictly, as a draw of stored inputs does. The pool it keeps may hold the caller's own ``Inspector``
    objects (``_plain_pool``): frozen, and of immutable fields of exact types, so they are what was written.
    """

    __slots__ = ("_canonical", "_digest", "_held")

    def __init__(self, data: bytes, digest: str, held: "list[tuple[dict[str, Any], _Inputs]]",
                 token: object) -> None:
        if token is not _FREEZE:
            raise TypeError("FrozenInputs are made by manifest.freeze_inputs")
        self._canonical = data
        self._digest = digest
        self._held = held

    @property
    def canonical(self) -> bytes:
        """The canonical JSON of the inputs (read-only: the draw hashes and writes exactly these bytes)."""
        return self._canonical

    @property
    def digest(self) -> str:
        """``inputs_hash`` of the inputs: SHA-256 of ``canonical``, 64 lowercase hex digits."""
        return self._digest

    def value(self) -> dict[str, Any]:
        """A new copy of the inputs as plain data (to store them); parsed from the bytes, so it is theirs."""
        value: dict[str, Any] = json.loads(self.canonical)
        return value

    def _take(self) -> "tuple[dict[str, Any], _Inputs]":
        """The checked value and what the draw works on; given once, then parsed and read strictly again."""
        if self._held:
            return self._held.pop()
        value = self.value()
        return value, _read_inputs(value)


_FREEZE = object()
"""What ``freeze_inputs`` alone passes to ``FrozenInputs``: a caller cannot make one from unchecked data."""


def freeze_inputs(plan: Plan, policy: PolicyRef, strata: Sequence[StratumInput],
                  assignment_inputs: AssignmentInputs | None = None) -> FrozenInputs:
    """``freeze`` and ``inputs_hash`` at once, for a draw in the same process: the inputs are checked once and
    written once; ``draw`` and ``draw_canonical`` take the result without reading or writing them again."""
    inputs, made = _inputs(plan, policy, strata, assignment_inputs)
    parsed = _read_inputs(inputs, made=made)
    data = canonical.dumps(inputs, check_first=False)  # _read_inputs checked every value
    return FrozenInputs(data, canonical.sha256_hex(data), [(inputs, parsed)], _FREEZE)


_Columns = tuple[list[Any], list[Any], list[Any], bool]
"""A stratum's frozen target rows as columns: ids, weights, must-include flags; and whether ``_frozen_targets``
found the ids to be distinct non-empty NFC strings (see there)."""


@dataclass(frozen=True)
class _Made:
    """What ``_inputs`` made the inputs from, for ``_read_inputs`` to check instead of taking the inputs apart."""

    columns: list[_Columns]
    """Each stratum's target rows as the columns ``_frozen_targets`` made them from."""
    pool: assignment.Problem | None
    """The inspector pool whose ``to_json`` the inputs hold; None without an assignment section."""


def _inputs(plan: Plan, policy: PolicyRef, strata: Sequence[StratumInput],
            assignment_inputs: AssignmentInputs | None) -> tuple[dict[str, Any], _Made]:
    """The inputs normalised (NFC, sorted), not yet checked; and what they were made from (``_Made``): each
    stratum's target rows as columns (the rows are new lists, out of any caller's reach: ``_read_inputs``
    checks the columns instead of taking the rows apart again) and the inspector pool."""
    columns: list[_Columns] = []
    problem = None
    inputs: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "plan": {
            "jurisdiction": nfc(plan.jurisdiction), "level": plan.level, "year": plan.year,
            "quarter": plan.quarter, "sequence": plan.sequence, "supersedes": plan.supersedes,
            "reason": nfc(plan.reason),
        },
        "policy": {"id": nfc(policy.id), "version": policy.version, "fingerprint": policy.fingerprint},
        "strata": [
            {
                "name": nfc(s.name),
                "quota": s.quota,
                "weighted": int(s.weighted),
                "needs": {key: _sorted_texts(getattr(s.needs, key), multiset=key == "expert_specialties")
                          for key in _NEEDS},
                "targets": _frozen_targets(s.targets, columns),
            }
            for s in sorted(strata, key=lambda s: nfc(s.name))
        ],
    }
    if assignment_inputs is not None:
        a = assignment_inputs
        # The pool is written by the assignment module itself, so its canonical form is the one the
        # assignment spec defines.
        people = tuple(map(_nfc_inspector, a.inspectors))
        pairs = tuple((nfc(x), nfc(y)) for x, y in a.recent_pairs)
        problem = assignment.Problem(a.draw_date, (), people, a.max_load, pairs)
        pool = problem.to_json()
        inputs["assignment"] = {
            "draw_date": a.draw_date.isoformat(), "deadline": a.deadline.isoformat(), "team_size": a.team_size,
            "max_load": a.max_load, "inspectors": pool["inspectors"], "recent_pairs": pool["recent_pairs"],
            "recusals": {nfc(target): _sorted_texts(ids) for target, ids in sorted(a.recusals.items()) if ids},
        }
    return inputs, _Made(columns, problem)


def _nfc_inspector(p: assignment.Inspector) -> assignment.Inspector:
    """The inspector with his texts in NFC; himself when they are (nearly always: ids and codes are ASCII)."""
    id, department, specialties = nfc(p.id), nfc(p.department), tuple(map(nfc, p.specialties))
    if id is p.id and department is p.department and specialties == p.specialties:
        return p
    return replace(p, id=id, department=department, specialties=specialties)


def _frozen_targets(targets: Sequence[Candidate | tuple[str, int, bool]], made: list[_Columns]) -> list[list[Any]]:
    """[id, weight, must_include] per target, ids in NFC, sorted by id; its columns appended to ``made``."""
    if type(targets) is TargetColumns:
        # copied, so that nothing the caller holds is what the draw reads
        ids, weights, musts = list(targets.ids), list(targets.weights), list(targets.musts)
        # the usual stratum (ASCII ids in order, flags 0 and 1) in one pass in C: rows and plainness at once
        native = tickets._native
        rows = native.frozen_rows(ids, weights, musts) if native is not None else None
        if rows is not None:
            made.append((ids, weights, musts, True))
            return rows
        # flags that are already the integers 0 and 1 are what ``1 if must else 0`` writes
        flags = musts if set(map(type, musts)) <= {int} and set(musts) <= {0, 1} else [1 if m else 0 for m in musts]
    else:
        rows = [[id, weight, 1 if must else 0] for id, weight, must in targets]
        ids, weights, flags = ([row[k] for row in rows] for k in range(3))
    # plain: the ids are of type str, in NFC as given, strictly ascending (so distinct) and the first is not
    # empty (so none is), and the flags are the integers 0 and 1 by construction above: what check_stratum
    # checks of them (its plain_ids). Found here with the loops this function runs anyway, so that the strict
    # reading of a national quarter need not walk two million ids four times more; anything else is checked
    # there in full, and refused in its words.
    plain = False
    if set(map(type, ids)) <= {str}:  # else refused with the offending id by the check that follows
        plain = canonical.all_nfc(ids)
        if not plain:
            ids = list(map(nfc, ids))
        ascending = all(map(lt, ids, islice(ids, 1, None)))
        if not ascending and not all(map(le, ids, islice(ids, 1, None))):
            order = sorted(range(len(ids)), key=ids.__getitem__)  # stable, as sorting the rows by id is
            ids, weights, flags = ([column[k] for k in order] for column in (ids, weights, flags))
            ascending = all(map(lt, ids, islice(ids, 1, None)))
        plain = plain and ascending and (not ids or ids[0] != "")
    made.append((ids, weights, flags, plain))
    return [[id, weight, flag] for id, weight, flag in zip(ids, weights, flags, strict=True)]


def strata_from_quotas(quotas: QuarterQuotas, *, take: Mapping[str, int] | None = None,
                       weights: Mapping[str, Mapping[str, int]] | None = None,
                       needs: Mapping[str, Needs] | None = None) -> list[StratumInput]:
    """One stratum per quota of ``shuangsuiji.engine.quotas``: its eligible ids, must-include ids and the
    number to draw (``take[stratum]``, else the minimum). ``weights[stratum]`` (id → positive integer)
    makes a stratum risk-weighted; ``needs[stratum]`` is what its tasks require of a team."""
    take, weights, needs = take or {}, weights or {}, needs or {}
    strata = []
    for quota in quotas.quotas:
        must = set(quota.must_include)
        stratum_weights = weights.get(quota.stratum)
        # columns, not a tuple per target: a national run has two million of them; the eligible ids are a
        # tuple already, which the freeze copies as it reads it (no copy of our own)
        ids = quota.eligible
        targets = TargetColumns(ids, _weights_of(stratum_weights, ids) if stratum_weights else [1] * len(ids),
                                list(map(int, map(must.__contains__, ids))) if must else [0] * len(ids))
        strata.append(StratumInput(quota.stratum, take.get(quota.stratum, quota.minimum), targets,
                                   weighted=stratum_weights is not None, needs=needs.get(quota.stratum, Needs())))
    return strata


def _weights_of(weights: Mapping[str, int], ids: tuple[str, ...]) -> list[int]:
    """``weights[id]`` for each of ``ids``. A stratum's weights are usually given in the order of its ids (made
    from them): then they are the mapping's values as they stand, which a national stratum of a million ids
    reads far faster than it looks each one up."""
    if type(weights) is dict and len(weights) == len(ids) and tuple(weights) == ids:
        return list(weights.values())
    return list(map(weights.__getitem__, ids))


def inputs_hash(inputs: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of the inputs: published as soon as the plan is frozen."""
    return canonical.digest(inputs)


# --- commitment, public value, seed ---------------------------------------------------------------


def new_secret() -> bytes:
    """The bureau's secret: 32 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(SECRET_BYTES)


def commitment(secret: bytes) -> str:
    """SHA-256 hex of the secret bytes: published before any public randomness is known."""
    return hashlib.sha256(secret).hexdigest()


def dice(value: str, witnesses: Iterable[str]) -> dict[str, Any]:
    """Digits rolled at the draw, with the witnesses who saw them rolled."""
    return _public({"kind": "dice", "value": value, "witnesses": _sorted_texts(witnesses)})


def lottery(name: str, draw_date: date, numbers: str) -> dict[str, Any]:
    """The numbers of a named lottery on an announced date, written as published (e.g. "03 11 19 25 28 33+07")."""
    return _public({"kind": "lottery", "value": numbers, "lottery": nfc(name), "date": draw_date.isoformat()})


def drand(chain: str, round: int, randomness: str) -> dict[str, Any]:
    """A drand beacon round announced in advance: chain hash, round number and its randomness (hex)."""
    return _public({"kind": "drand", "value": randomness.lower(), "chain": chain.lower(), "round": round})


def _public(record: dict[str, Any]) -> dict[str, Any]:
    _check_public(record)
    return record


def _check_public(record: Mapping[str, Any]) -> None:
    problems = _public_problems(record)
    if problems:
        raise DrawError("; ".join(problems))


def derive_seed(inputs_digest: str, secret: bytes, public: Mapping[str, Any]) -> str:
    """seed = SHA-256(tag ‖ inputs hash ‖ secret ‖ SHA-256(canonical public value)), as 64 hex digits."""
    if len(secret) != SECRET_BYTES:
        raise DrawError(f"the secret must be {SECRET_BYTES} bytes")
    return _derive_seed(inputs_digest, secret, canonical.dumps(public))


def _derive_seed(inputs_digest: str, secret: bytes, public: bytes) -> str:
    """``derive_seed`` from the canonical bytes of the public value."""
    if len(secret) != SECRET_BYTES:
        raise DrawError(f"the secret must be {SECRET_BYTES} bytes")
    material = SEED_TAG + bytes.fromhex(inputs_digest) + secret + hashlib.sha256(public).digest()
    return hashlib.sha256(material).hexdigest()


# --- the draw -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stratum:
    name: str
    quota: int
    weighted: bool
    needs: dict[str, list[str]]
    ids: list[str]
    weights: list[int]
    musts: list[int]


@dataclass(frozen=True)
class _Inputs:
    strata: list[_Stratum]
    assignment: dict[str, Any] | None
    pool: assignment.Problem | None
    """The inspector pool read by the assignment module (a problem without tasks)."""


def draw(inputs: Mapping[str, Any] | FrozenInputs, secret: bytes, public: Mapping[str, Any], *,
         published: str | None = None) -> dict[str, Any]:
    """Run the draw: the complete (revealed) manifest. Keep it private until the reveal; publish ``seal``.

    ``inputs`` are read strictly first, unless they are the ``FrozenInputs`` of this process's freeze.
    ``published``, the inputs hash published at the freeze: the draw is refused unless the inputs hash to it
    (stored inputs that changed since would otherwise be drawn under another hash than the public one)."""
    return _draw(inputs, secret, public, published)[0]


def draw_canonical(inputs: Mapping[str, Any] | FrozenInputs, secret: bytes, public: Mapping[str, Any], *,
                   published: str | None = None) -> tuple[dict[str, Any], bytes]:
    """``draw``, and the canonical JSON bytes of the manifest it returns, written in the same call (so they
    are the bytes of that manifest): the inputs' part is the bytes the draw hashed, not written again."""
    manifest, data = _draw(inputs, secret, public, published)
    # An object's canonical form is its members sorted by key, joined by commas: the manifest's values
    # (computed here, or checked: the public value) are written one by one and the inputs' bytes put in,
    # joined once (the inputs' bytes are most of a manifest's, and are copied once).
    parts = [b"{"]
    for key in sorted(manifest):
        parts += (_key_bytes(key), data if key == "inputs" else canonical.dumps(manifest[key], check_first=False),
                  b",")
    parts[-1] = b"}"
    return manifest, b"".join(parts)


_KEYS: dict[str, bytes] = {}
"""The canonical bytes of a manifest's keys, followed by a colon, written once."""


def _key_bytes(key: str) -> bytes:
    written = _KEYS.get(key)
    if written is None:
        written = _KEYS[key] = canonical.dumps(key, check_first=False) + b":"
    return written


def _draw(inputs: Mapping[str, Any] | FrozenInputs, secret: bytes, public: Mapping[str, Any],
          published: str | None) -> tuple[dict[str, Any], bytes]:
    """The manifest and the canonical bytes of its inputs."""
    if isinstance(inputs, FrozenInputs):
        # what can refuse the draw is checked before the checked value is taken
        _check_public(public)
        _check_published(inputs.digest, published)
        if len(secret) != SECRET_BYTES:
            raise DrawError(f"the secret must be {SECRET_BYTES} bytes")
        # checked and written by freeze_inputs, and out of any caller's reach since
        data, digest = inputs.canonical, inputs.digest
        inputs, parsed = inputs._take()
    else:
        parsed = _read_inputs(inputs)
        _check_public(public)
        data = canonical.dumps(inputs, check_first=False)  # _read_inputs checked them
        digest = canonical.sha256_hex(data)
        _check_published(digest, published)
    # the public value was checked just above (_check_public) and is written without walking it again
    seed = _derive_seed(digest, secret, canonical.dumps(public, check_first=False))
    # _read_inputs ran check_stratum on these lists
    draws = [select_checked(s.name, s.ids, s.weights, s.musts, s.quota, seed, s.weighted) for s in parsed.strata]
    manifest: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "state": "revealed",
        "inputs": inputs,
        "inputs_hash": digest,
        "commitment": commitment(secret),
        "public_value": dict(public),
        "secret": secret.hex(),
        "seed": seed,
        "strata": [_stratum_record(d) for d in draws],
        # the names and ids of the inputs read strictly above: hashed without checking them again
        "selection_hash": _selection_hash(draws, check_first=False),
        "substitutions": [],
    }
    if parsed.assignment is not None:
        manifest["assignment"] = _assignment_section(parsed, draws, seed)
    return manifest, data


def _check_published(digest: str, published: str | None) -> None:
    if published is not None and digest != published:
        raise DrawError(f"the inputs hash to {digest}, not to the inputs hash published at the freeze ({published})")


def selection_hash(draws: Sequence[StratumDraw]) -> str:
    """Digest of every stratum's selected ids in order: the sealed manifest commits to the list with it."""
    return _selection_hash(draws)


def _selection_hash(draws: Sequence[StratumDraw], *, check_first: bool = True) -> str:
    """``selection_hash``; ``check_first=False`` for the draw's own selection of inputs it has read strictly."""
    value = {"strata": [{"name": d.name, "selected": [p.id for p in d.selected]} for d in draws]}
    return canonical.sha256_hex(canonical.dumps(value, check_first=check_first))


def _stratum_record(d: StratumDraw) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": d.name,
        "seed": d.seed,
        "quota": d.quota,
        "weighted": int(d.weighted),
        "selected": [{"id": p.id, "ticket": "0." + p.ticket, "via": p.via} for p in d.selected],
    }
    if d.weighted:
        assert d.probabilities is not None and d.uniform is not None
        record["pps"] = {
            "u": f"{d.uniform:064x}",
            "probabilities": list(d.probabilities),
        }
    return record


def _tasks(parsed: _Inputs, selected: Mapping[str, Iterable[str]]) -> list[dict[str, Any]]:
    """The assignment's tasks for the selected targets (spec §7): one per target, needs of every stratum
    that selected it merged (departments and specialties as sets, experts by the largest count)."""
    return _task_records(parsed, selected)[0]


def _task_records(parsed: _Inputs, selected: Mapping[str, Iterable[str]]
                  ) -> tuple[list[dict[str, Any]], list[assignment.Task]]:
    """``_tasks``, and the same tasks as the assignment module's objects (what ``_assign`` solves)."""
    a = parsed.assignment
    assert a is not None
    needs = {s.name: s.needs for s in parsed.strata}
    chosen = {name: list(ids) for name, ids in selected.items()}
    # Each target's strata, in the order of ``selected``. Most targets are selected by one stratum: those are
    # mapped in C; the few that several strata selected (or one twice) are listed name by name.
    by_target: dict[str, tuple[str, ...]] = {}
    for name, ids in chosen.items():
        by_target.update(dict.fromkeys(ids, (name,)))
    # fewer targets than selections: some id was selected more than once (counted only then)
    if len(by_target) < sum(map(len, chosen.values())):
        counts = Counter(chain.from_iterable(chosen.values()))
        several: dict[str, list[str]] = {id: [] for id, count in counts.items() if count > 1}
        for name, ids in chosen.items():
            for id in ids:
                if id in several:
                    several[id].append(name)
        by_target.update((id, tuple(names)) for id, names in several.items())
    # Tasks selected by the same strata have the same needs: merged once per combination (a handful).
    combined: dict[tuple[str, ...], tuple[tuple[list[str], ...], tuple[tuple[str, ...], ...]]] = {}
    recusals = a["recusals"]
    deadline, team_size = a["deadline"], a["team_size"]
    day = date.fromisoformat(deadline)
    native = tickets._native
    if native is not None and type(recusals) is dict:
        # The same loop in C (a national quarter's 190,000 tasks: a fifth of the time), the needs of a
        # combination still merged here, once, when its first target comes.
        def merge(names: tuple[str, ...]) -> tuple[Any, ...]:
            merged = _merged_needs([needs[name] for name in names])
            return (*merged, *map(tuple, merged))

        return native.task_records(sorted(by_target), by_target, {}, merge, recusals, deadline, day, team_size,
                                    assignment.Task)
    tasks, objects = [], []
    for id in sorted(by_target):
        names = by_target[id]
        if names not in combined:
            merged = _merged_needs([needs[name] for name in names])
            combined[names] = merged, tuple(map(tuple, merged))
        (departments, specialties, experts), shared = combined[names]
        recused = recusals.get(id, [])
        tasks.append({
            "id": id, "deadline": deadline, "team_size": team_size, "departments": [*departments],
            "specialties": [*specialties], "expert_specialties": [*experts], "recusals": [*recused],
        })
        # The lists are sorted and without duplicates (the needs and recusals were read strictly), so the
        # task is made without normalising them again; its tuples are shared by the tasks of a combination.
        objects.append(assignment._canonical_task(id, day, team_size, *shared, tuple(recused)))
    return tasks, objects


def _merged_needs(merged: list[dict[str, list[str]]]) -> tuple[list[str], list[str], list[str]]:
    """Departments and specialties as sets, experts by the largest count in one stratum (spec §7)."""
    experts: dict[str, int] = {}
    for n in merged:
        for specialty in set(n["expert_specialties"]):
            experts[specialty] = max(experts.get(specialty, 0), n["expert_specialties"].count(specialty))
    return (sorted({d for n in merged for d in n["departments"]}),
            sorted({s for n in merged for s in n["specialties"]}),
            sorted(s for s, count in experts.items() for _ in range(count)))


def _problem(parsed: _Inputs, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    a = parsed.assignment
    assert a is not None
    return {"draw_date": a["draw_date"], "max_load": a["max_load"], "tasks": tasks,
            "inspectors": a["inspectors"], "recent_pairs": a["recent_pairs"]}


def _assign(parsed: _Inputs, tasks: list[dict[str, Any]], seed: str,
            objects: Sequence[assignment.Task] | None = None) -> dict[str, Any]:
    """The assignment section for these tasks: the problem in its canonical form, the seed and the result.
    ``objects``: the same tasks as ``_task_records`` made them, else made here from ``tasks``."""
    pool, a = parsed.pool, parsed.assignment
    assert pool is not None and a is not None
    if objects is None:
        deadline = date.fromisoformat(a["deadline"])
        objects = [assignment._canonical_task(t["id"], deadline, t["team_size"], tuple(t["departments"]),
                                              tuple(t["specialties"]), tuple(t["expert_specialties"]),
                                              tuple(t["recusals"])) for t in tasks]
    # The pool was read once with the inputs; only the tasks are new. ``_tasks`` writes them in the
    # assignment spec's canonical form, so the problem below is exactly ``problem.to_json()``.
    # (Their lists are sorted and without duplicates, so the tasks are made without normalising them again.)
    problem = assignment._with_tasks(pool, tuple(objects))
    return {"algorithm": assignment.ALGORITHM, "problem": _problem(parsed, tasks), "seed": seed,
            "result": assignment._assign_json(problem, seed)}


def _assignment_section(parsed: _Inputs, draws: Sequence[StratumDraw], seed: str) -> dict[str, Any]:
    tasks, objects = _task_records(parsed, {d.name: [p.id for p in d.selected] for d in draws})
    return _assign(parsed, tasks, seed, objects)


# --- substitution ---------------------------------------------------------------------------------


class _Replay:
    """A manifest's current selection and teams while its substitution events are applied in order."""

    def __init__(self, parsed: _Inputs, seed: str, draws: Iterable[StratumDraw],
                 section: Mapping[str, Any] | None) -> None:
        self.parsed = parsed
        self.seed = seed
        self.ids = {s.name: s.ids for s in parsed.strata}
        self.draws = {d.name: d for d in draws}
        self.closed: list[str] = []
        self.teams: dict[str, list[str]] = {}
        if section is not None:
            for team in section["result"]["teams"]:
                self.teams[team["task"]] = [m["inspector"] for m in team["members"]]

    def selection(self) -> dict[str, list[str]]:
        return {name: [p.id for p in d.selected] for name, d in self.draws.items()}

    def apply(self, out: str, reason: str) -> dict[str, Any]:
        """Replace ``out`` in every stratum whose current selection holds it; the event's record (spec §8)."""
        strata = [name for name, d in self.draws.items() if any(p.id == out for p in d.selected)]
        if not strata:
            raise DrawError(f"target {out} is not in the current selection of any stratum")
        old_tasks = _tasks(self.parsed, self.selection()) if self.parsed.assignment is not None else []
        self.closed.append(out)
        replacements = []
        for name in strata:
            d = self.draws[name]
            in_plan = {id for ids in self.selection().values() for id in ids}
            pick = replacement(d, self.ids[name], in_plan | set(self.closed))
            selected = list(d.selected)
            position = next(k for k, p in enumerate(selected) if p.id == out)
            if pick is None:
                del selected[position]
            else:
                selected[position] = Pick(pick.id, pick.ticket, "ticket")
                replacements.append({"stratum": name, "in": pick.id, "ticket": "0." + pick.ticket})
            self.draws[name] = StratumDraw(d.name, d.seed, d.quota, d.weighted, tuple(selected), None, None)
        old_task = next((t for t in old_tasks if t["id"] == out), None)
        teams = self._new_teams(out, old_task, replacements)
        return {"out": out, "reason": reason, "replacements": replacements, "teams": teams}

    def _new_teams(self, out: str, old_task: Mapping[str, Any] | None,
                   replacements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The closed target's team goes to the first new task with the same needs whose target recuses none
        of its members; every other new task gets a team drawn by the assignment algorithm for that task
        alone, from the whole pool and the draw seed (spec §8)."""
        if self.parsed.assignment is None or old_task is None:
            return []
        tasks = {task["id"]: task for task in _tasks(self.parsed, self.selection())}
        carried = self.teams.pop(out, [])
        records = []
        for entry in replacements:
            task = tasks[entry["in"]]
            if carried and _task_needs(task) == _task_needs(old_task) and not set(carried) & set(task["recusals"]):
                records.append({"task": task["id"], "rule": "carried", "from": out, "inspectors": carried})
                self.teams[task["id"]] = carried
                carried = []
                continue
            section = _assign(self.parsed, [task], self.seed)
            records.append({"task": task["id"], "rule": "drawn", "assignment": section})
            self.adopt(section)
        return records

    def adopt(self, section: Mapping[str, Any]) -> None:
        """Take a replacement task's team as its section records it now (after its own substitutions)."""
        for team in section["result"]["teams"]:
            self.teams[team["task"]] = [m["inspector"] for m in team["members"]]


def _task_needs(task: Mapping[str, Any]) -> tuple[Any, ...]:
    return (task["team_size"], task["departments"], task["specialties"], task["expert_specialties"])


def _recorded_draws(manifest: Mapping[str, Any]) -> list[StratumDraw]:
    return [
        StratumDraw(r["name"], r["seed"], r["quota"], bool(r["weighted"]),
                    tuple(Pick(p["id"], p["ticket"][2:], p["via"]) for p in r["selected"]), None, None)
        for r in manifest["strata"]
    ]


def substitute(manifest: Mapping[str, Any], target_id: str, reason: str) -> dict[str, Any]:
    """The manifest with one more substitution event: ``target_id`` (closed, gone…) is replaced in every
    stratum by the fixed rule and the new tasks get their teams. Nobody chooses; the record says why."""
    reason = nfc(reason.strip())
    if not reason:
        raise DrawError("a substitution needs its reason")
    parsed = _read_inputs(manifest["inputs"])
    replay = _Replay(parsed, manifest["seed"], _recorded_draws(manifest), manifest.get("assignment"))
    for event in manifest["substitutions"]:
        replay.apply(event["out"], event["reason"])
        for team in event["teams"]:
            if team["rule"] == "drawn":
                replay.adopt(team["assignment"])
    event = replay.apply(nfc(target_id), reason)
    updated = dict(manifest)
    updated["substitutions"] = [*manifest["substitutions"], event]
    canonical.check(updated)
    return updated


# --- sealing --------------------------------------------------------------------------------------


def seal(manifest: Mapping[str, Any], *, disclose_selection: bool = False) -> dict[str, Any]:
    """What is published at the draw: enough to hold the bureau to its result, without the secret.

    The selection hash commits to every stratum's list; the lists themselves are included only when
    ``disclose_selection`` (a policy that does not keep the list secret until the inspections).
    """
    population = {s["name"]: len(s["targets"]) for s in manifest["inputs"]["strata"]}
    strata = []
    for record in manifest["strata"]:
        entry: dict[str, Any] = {"name": record["name"], "quota": record["quota"],
                                 "population": population[record["name"]]}
        if disclose_selection:
            entry["selected"] = [p["id"] for p in record["selected"]]
        strata.append(entry)
    return {
        "algorithm": manifest["algorithm"],
        "state": "sealed",
        "plan": manifest["inputs"]["plan"],
        "inputs_hash": manifest["inputs_hash"],
        "commitment": manifest["commitment"],
        "public_value": manifest["public_value"],
        "selection_hash": manifest["selection_hash"],
        "strata": strata,
    }


# --- verification ---------------------------------------------------------------------------------

_MANIFEST_KEYS = {"algorithm", "state", "inputs", "inputs_hash", "commitment", "public_value", "secret", "seed",
                  "strata", "selection_hash", "substitutions"}


def verify(manifest: Any, sealed: Any = None) -> list[str]:
    """Recompute everything in a revealed manifest; every difference, in words (empty: all match).

    ``sealed``, when given, is the sealed manifest published at the draw; it must agree with this one.
    """
    # The file is untrusted: whatever part of it is malformed (beyond what the shape checks name) is a
    # difference to report, never a crash of the verifier. DrawError and CanonicalError are ValueErrors.
    try:
        _shape(manifest)
        parsed = _read_inputs(manifest["inputs"])
    except _MALFORMED as error:
        return [f"malformed manifest: {error}"]
    differences: list[str] = []
    try:
        _recompute(manifest, parsed, sealed, differences)
    except _MALFORMED as error:
        differences.append(f"malformed manifest: {type(error).__name__}: {error}")
    return differences


_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _recompute(manifest: dict[str, Any], parsed: _Inputs, sealed: Any, differences: list[str]) -> None:
    digest = inputs_hash(manifest["inputs"])
    if digest != manifest["inputs_hash"]:
        differences.append(f"inputs_hash: the manifest says {manifest['inputs_hash']}, the inputs hash to {digest}")
    secret = bytes.fromhex(manifest["secret"])
    if commitment(secret) != manifest["commitment"]:
        differences.append(f"commitment: the manifest says {manifest['commitment']}, "
                           f"SHA-256 of the secret is {commitment(secret)}")
    differences += [f"public_value: {p}" for p in _public_problems(manifest["public_value"])]
    seed = derive_seed(digest, secret, manifest["public_value"])
    if seed != manifest["seed"]:
        differences.append(f"seed: the manifest says {manifest['seed']}, the re-computation gives {seed}")
    # _read_inputs ran check_stratum on these lists
    draws = [select_checked(s.name, s.ids, s.weights, s.musts, s.quota, seed, s.weighted) for s in parsed.strata]
    differences += _compare_strata(manifest["strata"], [_stratum_record(d) for d in draws])
    recomputed = selection_hash(draws)
    if recomputed != manifest["selection_hash"]:
        differences.append(f"selection_hash: the manifest says {manifest['selection_hash']}, "
                           f"the re-run's selection hashes to {recomputed}")
    section = manifest.get("assignment")
    if parsed.assignment is not None:
        expected = _problem(parsed, _tasks(parsed, {d.name: [p.id for p in d.selected] for d in draws}))
        differences += _compare_section("assignment", section, expected, seed)
    differences += _compare_substitutions(manifest, parsed, seed, draws)
    if sealed is not None:
        differences += _compare_sealed(sealed, manifest, draws)


def _shape(manifest: Any) -> None:
    if not isinstance(manifest, dict):
        raise DrawError("the manifest is not a JSON object")
    if manifest.get("state") == "sealed":
        raise DrawError("this is a sealed manifest: it can be checked only against the revealed one "
                        "(verify REVEALED --sealed SEALED)")
    inputs = manifest.get("inputs")
    optional = {"assignment"} if isinstance(inputs, dict) and "assignment" in inputs else set()
    _keys(manifest, _MANIFEST_KEYS | optional, "manifest")
    if manifest["algorithm"] != ALGORITHM:
        raise DrawError(f"algorithm {manifest['algorithm']!r} is not {ALGORITHM}")
    if manifest["state"] != "revealed":
        raise DrawError(f"state {manifest['state']!r} is neither 'revealed' nor 'sealed'")
    canonical.check(manifest)
    for key in ("inputs_hash", "commitment", "secret", "seed", "selection_hash"):
        if not _HEX64.match(manifest[key]):
            raise DrawError(f"{key} must be 64 lowercase hex digits")
    if not isinstance(manifest["strata"], list) or not isinstance(manifest["substitutions"], list):
        raise DrawError("strata and substitutions must be lists")
    for n, record in enumerate(manifest["strata"]):
        weighted = isinstance(record, dict) and record.get("weighted")
        _keys(record, {"name", "seed", "quota", "weighted", "selected"} | ({"pps"} if weighted else set()),
              f"strata[{n}]")
        if weighted:
            _keys(record["pps"], {"u", "probabilities"}, f"strata[{n}].pps")
        if not isinstance(record["selected"], list):
            raise DrawError(f"strata[{n}].selected must be a list")
        for k, pick in enumerate(record["selected"]):
            _keys(pick, {"id", "ticket", "via"}, f"strata[{n}].selected[{k}]")
            if not pick["ticket"].startswith("0."):
                raise DrawError(f"strata[{n}].selected[{k}].ticket must start with '0.'")
    for n, event in enumerate(manifest["substitutions"]):
        _keys(event, {"out", "reason", "replacements", "teams"}, f"substitutions[{n}]")
        for k, team in enumerate(event["teams"]):
            rule = team.get("rule") if isinstance(team, dict) else None
            keys = {"task", "rule", "from", "inspectors"} if rule == "carried" else {"task", "rule", "assignment"}
            _keys(team, keys, f"substitutions[{n}].teams[{k}]")


def _compare_strata(recorded: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    names = [r["name"] for r in recorded]
    wanted = [e["name"] for e in expected]
    if names != wanted:
        return [f"strata: the manifest lists {names}, the inputs define {wanted}"]
    differences = []
    for got, want in zip(recorded, expected, strict=True):
        where = f"stratum {want['name']}"
        for key in ("seed", "quota", "weighted"):
            if got[key] != want[key]:
                differences.append(f"{where}: {key} is {got[key]!r}, the re-run gives {want[key]!r}")
        differences += _compare_lists(f"{where}: selected", got["selected"], want["selected"])
        if want["weighted"] and got.get("pps") is not None:
            if got["pps"]["u"] != want["pps"]["u"]:
                differences.append(f"{where}: PPS uniform u is {got['pps']['u']}, the re-run gives {want['pps']['u']}")
            differences += _compare_lists(f"{where}: inclusion probabilities", got["pps"]["probabilities"],
                                          want["pps"]["probabilities"])
    return differences


def _compare_lists(where: str, got: list[Any], want: list[Any]) -> list[str]:
    """The first position where two lists differ, and a length difference, in words."""
    differences = []
    for k, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            differences.append(f"{where}[{k}] is {_show(a)}, the re-run gives {_show(b)}")
            break
    if len(got) != len(want):
        differences.append(f"{where}: {len(got)} entries, the re-run gives {len(want)}")
    return differences


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _compare_section(where: str, section: Any, expected_problem: dict[str, Any], seed: str) -> list[str]:
    if not isinstance(section, dict):
        return [f"{where}: missing, but the inputs define an inspector pool"]
    differences = []
    if section.get("seed") != seed:
        differences.append(f"{where}: seed is {section.get('seed')!r}, the draw seed is {seed}")
    problem = section.get("problem")
    if problem != expected_problem:
        differences.append(f"{where}: the problem is not the one the inputs and the selection define"
                           + _problem_difference(problem, expected_problem))
    differences += [f"{where}: {d}" for d in assignment.verify(section)]
    return differences


def _problem_difference(got: Any, want: dict[str, Any]) -> str:
    if not isinstance(got, dict):
        return ""
    for key in sorted(want):
        if got.get(key) != want[key]:
            if key == "tasks" and isinstance(got.get(key), list):
                got_ids = [t.get("id") for t in got[key] if isinstance(t, dict)]
                want_ids = [t["id"] for t in want[key]]
                if got_ids != want_ids:
                    return f" (tasks {got_ids}, expected {want_ids})"
            return f" (field {key} differs)"
    return ""


def _compare_substitutions(manifest: Mapping[str, Any], parsed: _Inputs, seed: str,
                           draws: list[StratumDraw]) -> list[str]:
    replay = _Replay(parsed, seed, draws, manifest.get("assignment"))
    differences = []
    for n, event in enumerate(manifest["substitutions"]):
        where = f"substitution {n} ({event['out']} out)"
        if not isinstance(event["reason"], str) or not event["reason"].strip():
            differences.append(f"{where}: no reason recorded")
        try:
            expected = replay.apply(event["out"], event["reason"])
        except DrawError as error:
            differences.append(f"{where}: {error}")
            break
        differences += _compare_lists(f"{where}: replacements", event["replacements"], expected["replacements"])
        recorded = {team["task"]: team for team in event["teams"]}
        for want in expected["teams"]:
            got = recorded.pop(want["task"], None)
            task_where = f"{where}: team of {want['task']}"
            if got is None:
                differences.append(f"{task_where} is missing ({want['rule']} by the rule)")
            elif got["rule"] != want["rule"]:
                differences.append(f"{task_where} is {got['rule']}, the rule gives {want['rule']}")
            elif want["rule"] == "carried":
                if got != want:
                    differences.append(f"{task_where}: {_show(got)}, the rule gives {_show(want)}")
            else:
                expected_problem = want["assignment"]["problem"]
                differences += _compare_section(task_where, got["assignment"], expected_problem, seed)
                replay.adopt(got["assignment"])
        differences += [f"{where}: team of {task} recorded, but the rule makes none" for task in recorded]
    return differences


def _compare_sealed(sealed: Any, manifest: Mapping[str, Any], draws: list[StratumDraw]) -> list[str]:
    if not isinstance(sealed, dict) or sealed.get("state") != "sealed":
        return ["sealed: not a sealed manifest"]
    expected = seal(manifest, disclose_selection="selected" in (sealed.get("strata") or [{}])[0])
    expected["selection_hash"] = selection_hash(draws)
    differences = []
    for key in sorted(set(expected) | set(sealed)):
        if sealed.get(key) != expected.get(key):
            differences.append(f"sealed: {key} is {_show(sealed.get(key))}, the revealed draw gives "
                               f"{_show(expected.get(key))}")
    return differences


# --- reading inputs strictly ----------------------------------------------------------------------

def _keys(data: Any, keys: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise DrawError(f"{where} must be an object")
    if data.keys() != keys:
        extra, missing = sorted(set(data) - keys), sorted(keys - set(data))
        raise DrawError(f"{where}: unexpected keys {extra}, missing keys {missing}")


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    if type(value) is not str or (not empty and not value):
        raise DrawError(f"{where} must be a {'' if empty else 'non-empty '}string")
    return value


def _integer(value: Any, where: str, low: int, high: int | None = None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise DrawError(f"{where} must be an integer {bound}")
    return value


def _texts(value: Any, where: str, *, multiset: bool = False) -> list[str]:
    if type(value) is list and not value:  # most needs are empty (three lists a stratum): what the rest gives
        return []
    if not isinstance(value, list):
        raise DrawError(f"{where} must be a list")
    items = [_text(v, f"{where}[{n}]") for n, v in enumerate(value)]
    if not canonical.all_nfc(items):
        raise DrawError(f"{where}: every text must be in Unicode NFC")
    if items != _sorted_texts(items, multiset=multiset):
        raise DrawError(f"{where} must be sorted{'' if multiset else ' without duplicates'}")
    return items


def _sorted_texts(values: Iterable[str], *, multiset: bool = False) -> list[str]:
    items = [nfc(v) for v in values]
    return sorted(items) if multiset else sorted(set(items))


def _read_inputs(inputs: Any, *, made: _Made | None = None) -> _Inputs:
    """Check the canonical inputs strictly (every key, type, order); the parts the draw works on.

    ``made``: only for inputs the freeze has just made (``_inputs``), what it made them from. Each stratum's
    target rows are checked as the columns ``_frozen_targets`` made them from (lists of three, an integer flag,
    sorted by id when the ids are strings, by construction), the inspector pool as the ``Problem`` that wrote
    it, and the canonical form (``canonical.check``) by the texts that came from outside: whatever else the
    freeze wrote itself of checked fields. Any doubt, and the inputs are read as stored inputs are; a refusal
    is the same either way."""
    optional = {"assignment"} if isinstance(inputs, dict) and "assignment" in inputs else set()
    _keys(inputs, {"algorithm", "plan", "policy", "strata"} | optional, "inputs")
    if inputs["algorithm"] != ALGORITHM:
        raise DrawError(f"inputs.algorithm {inputs['algorithm']!r} is not {ALGORITHM}")
    plan = inputs["plan"]
    _keys(plan, {"jurisdiction", "level", "year", "quarter", "sequence", "supersedes", "reason"}, "inputs.plan")
    _text(plan["jurisdiction"], "inputs.plan.jurisdiction")
    if plan["level"] not in LEVELS:
        raise DrawError(f"inputs.plan.level must be one of {LEVELS}")
    _integer(plan["year"], "inputs.plan.year", 2000, 9999)
    _integer(plan["quarter"], "inputs.plan.quarter", 1, 4)
    sequence = _integer(plan["sequence"], "inputs.plan.sequence", 1)
    supersedes = _text(plan["supersedes"], "inputs.plan.supersedes", empty=True)
    reason = _text(plan["reason"], "inputs.plan.reason", empty=True)
    if sequence == 1 and (supersedes or reason):
        raise DrawError("inputs.plan: a first draw (sequence 1) supersedes nothing and needs no reason")
    if sequence > 1 and (not _HEX64.match(supersedes) or not reason.strip()):
        raise DrawError("inputs.plan: a re-draw names the inputs hash it supersedes and its approved reason")
    policy = inputs["policy"]
    _keys(policy, {"id", "version", "fingerprint"}, "inputs.policy")
    _text(policy["id"], "inputs.policy.id")
    _integer(policy["version"], "inputs.policy.version", 1)
    if not isinstance(policy["fingerprint"], str) or not _HEX64.match(policy["fingerprint"]):
        raise DrawError("inputs.policy.fingerprint must be 64 lowercase hex digits")
    if not isinstance(inputs["strata"], list) or not inputs["strata"]:
        raise DrawError("inputs.strata must be a non-empty list")
    strata = [_read_stratum(s, f"inputs.strata[{n}]", made.columns[n] if made is not None else None)
              for n, s in enumerate(inputs["strata"])]
    names = [s.name for s in strata]
    if names != sorted(set(names)):
        raise DrawError("inputs.strata must be sorted by name, each name once")
    section = inputs.get("assignment")
    pool = _read_assignment(section, made.pool if made is not None else None) if section is not None else None
    if made is not None and _made_canonical(inputs, pool if pool is made.pool else None):
        return _Inputs(strata, section, pool)
    # Targets are checked column by column in check_stratum (NFC ids, integer weights and flags); everything
    # else is small and checked as a whole, so the inputs are canonical once read.
    canonical.check({key: value for key, value in inputs.items() if key != "strata"}, "inputs")
    # all strata at once (a national quarter has twelve thousand); one by one only to name the culprit
    without_targets = [{**stratum, "targets": []} for stratum in inputs["strata"]]
    try:
        canonical.check(without_targets, "inputs.strata")
    except CanonicalError:
        for n, stratum in enumerate(without_targets):
            canonical.check(stratum, f"inputs.strata[{n}]")
        raise
    return _Inputs(strata, section, pool)


def _made_canonical(inputs: dict[str, Any], pool: assignment.Problem | None) -> bool:
    """Whether inputs that ``_inputs`` has just made and ``_read_inputs`` has read strictly without a fault are
    canonical, without walking them: true only when ``canonical.check`` would pass them.

    The freeze wrote every object, list and key of the inputs itself, and the strict reading found every
    integer of them to be an int (not a bool), every stratum's texts (name, needs) to be NFC strings of type
    str, and the dates to be ASCII. What remains are the texts the freeze took from outside: the plan's and
    the policy's, the recusals' targets, and the inspector pool, whose entries ``to_json`` wrote from
    ``pool`` (given only when ``_plain_pool`` found its fields to be of exact types; None otherwise, and the
    inputs are then walked). Those must be of type str and in NFC (a status is: Problem found it one of
    ``assignment.STATUSES``, and of type str, by ``_plain_pool``)."""
    section = inputs.get("assignment")
    if section is not None and pool is None:
        return False
    plan, policy = inputs["plan"], inputs["policy"]
    texts = [plan["jurisdiction"], plan["level"], plan["supersedes"], plan["reason"], policy["id"],
             policy["fingerprint"]]
    if pool is not None:
        people = pool.inspectors
        texts += map(_ID, people)
        texts += map(_DEPARTMENT, people)
        texts += chain.from_iterable(map(_SPECIALTIES, people))
        texts += chain.from_iterable(pool.recent_pairs)
        texts += section["recusals"]
    return set(map(type, texts)) <= {str} and canonical.all_nfc(texts)


_ID, _DEPARTMENT, _STATUS = attrgetter("id"), attrgetter("department"), attrgetter("status")
_SPECIALTIES, _EXPIRY, _EXPERT = attrgetter("specialties"), attrgetter("certificate_expiry"), attrgetter("expert")


def _plain_pool(pool: assignment.Problem) -> bool:
    """Whether ``Problem.from_json`` of ``pool.to_json()`` would give ``pool`` again: an inspector pool the freeze
    has just made (``_inputs``) whose fields are all of the exact types ``from_json`` makes them (str, a tuple
    of str, a date or None, a bool), inspectors of the class ``Inspector`` itself. ``Problem`` has checked and
    sorted the rest (ids distinct, statuses, recent pairs) when it was made."""
    people = pool.inspectors
    return (type(pool.draw_date) is date
            and set(map(type, people)) <= {assignment.Inspector}
            and set(map(type, chain(map(_ID, people), map(_DEPARTMENT, people), map(_STATUS, people),
                                    chain.from_iterable(map(_SPECIALTIES, people)),
                                    chain.from_iterable(pool.recent_pairs)))) <= {str}
            and set(map(type, map(_SPECIALTIES, people))) <= {tuple}
            # as Inspector makes them (one could have been made around its __post_init__)
            and list(map(tuple, map(sorted, map(set, map(_SPECIALTIES, people))))) == list(map(_SPECIALTIES, people))
            and set(map(type, map(_EXPIRY, people))) <= {date, type(None)}
            and set(map(type, map(_EXPERT, people))) <= {bool}
            and set(map(type, pool.recent_pairs)) <= {tuple})


def _read_stratum(data: Any, where: str, made: _Columns | None = None) -> _Stratum:
    _keys(data, {"name", "quota", "weighted", "needs", "targets"}, where)
    name = _text(data["name"], f"{where}.name")
    check_name(name)
    weighted = _integer(data["weighted"], f"{where}.weighted", 0, 1)
    _keys(data["needs"], set(_NEEDS), f"{where}.needs")
    needs = {key: _texts(data["needs"][key], f"{where}.needs.{key}", multiset=key == "expert_specialties")
             for key in _NEEDS}
    targets = data["targets"]
    if not isinstance(targets, list):
        raise DrawError(f"{where}.targets must be a list")
    if made is not None:
        ids, weights, musts, plain = made
        check_stratum(name, ids, weights, musts, data["quota"], bool(weighted), plain_ids=plain)
        # check_stratum refused any id that is not a string, and _frozen_targets sorted string ids
        return _Stratum(name, data["quota"], bool(weighted), needs, ids, weights, musts)
    # A stratum may hold a whole province's general units: checked list by list, not entry by entry.
    if not set(map(type, targets)) <= {list} or not set(map(len, targets)) <= {3}:
        n = next(n for n, t in enumerate(targets) if type(t) is not list or len(t) != 3)
        raise DrawError(f"{where}.targets[{n}] must be [id, weight, must_include]")
    ids, weights, musts = (list(column) for column in zip(*targets, strict=True)) if targets else ([], [], [])
    if not set(map(type, musts)) <= {int}:
        raise DrawError(f"{where}: must_include (third of each target) must be 0 or 1")
    check_stratum(name, ids, weights, musts, data["quota"], bool(weighted))
    if ids != sorted(ids):
        raise DrawError(f"{where}.targets must be sorted by id")
    return _Stratum(name, data["quota"], bool(weighted), needs, ids, weights, musts)


def _read_assignment(data: Any, made: assignment.Problem | None = None) -> assignment.Problem:
    """The inspector pool of the assignment section, read strictly. ``made``: only for inputs the freeze has just
    made, the pool ``_inputs`` wrote them from; taken as it is when ``_plain_pool`` finds that reading what it
    wrote would give it again (the section's other fields are read all the same)."""
    where = "inputs.assignment"
    _keys(data, {"draw_date", "deadline", "team_size", "max_load", "inspectors", "recent_pairs", "recusals"}, where)
    for key in ("draw_date", "deadline"):
        if not _is_day(data[key]):
            raise DrawError(f"{where}.{key} must be a YYYY-MM-DD date")
    if data["deadline"] < data["draw_date"]:
        raise DrawError(f"{where}: the deadline is before the draw date")
    _integer(data["team_size"], f"{where}.team_size", assignment.MIN_TEAM)
    _integer(data["max_load"], f"{where}.max_load", 1)
    recusals = data["recusals"]
    if not isinstance(recusals, dict):
        raise DrawError(f"{where}.recusals must be an object (target id → inspector ids)")
    for target, ids in recusals.items():
        if not _texts(ids, f"{where}.recusals.{target}"):
            raise DrawError(f"{where}.recusals.{target}: an empty list is written by leaving the target out")
    if made is not None and _plain_pool(made):
        return made
    try:
        pool = assignment.Problem.from_json({"draw_date": data["draw_date"], "max_load": data["max_load"],
                                             "tasks": [], "inspectors": data["inspectors"],
                                             "recent_pairs": data["recent_pairs"]})
    except assignment.AssignmentError as error:
        raise DrawError(f"{where}: {error.en}") from None
    canonical_pool = pool.to_json()
    for key in ("inspectors", "recent_pairs"):
        if canonical_pool[key] != data[key]:
            raise DrawError(f"{where}.{key} is not in the canonical form of docs/assignment-spec.md §2")
    return pool


def _public_problems(record: Any) -> list[str]:
    if not isinstance(record, dict):
        return ["the public value must be an object"]
    kind = record.get("kind")
    fields = {"dice": {"kind", "value", "witnesses"}, "lottery": {"kind", "value", "lottery", "date"},
              "drand": {"kind", "value", "chain", "round"}}.get(kind)
    if fields is None:
        return [f"kind {kind!r} is not one of {PUBLIC_KINDS}"]
    if record.keys() != fields:
        return [f"a {kind} value has exactly the keys {sorted(fields)}"]
    problems = []
    value = record["value"]
    if type(value) is not str or not value.strip():
        problems.append("value must be a non-empty string")
    elif kind == "dice":
        if not value.isascii() or not value.isdigit():
            problems.append("dice value must be the digits rolled")
        witnesses = record["witnesses"]
        if (not isinstance(witnesses, list) or not witnesses or any(type(w) is not str or not w for w in witnesses)
                or witnesses != _sorted_texts(witnesses)):
            problems.append("witnesses must be a sorted, non-empty list of names")
    elif kind == "lottery":
        if type(record["lottery"]) is not str or not record["lottery"]:
            problems.append("lottery must name the lottery")
        if not _is_day(record["date"]):
            problems.append("date must be YYYY-MM-DD")
    else:
        if not _HEX64.match(value):
            problems.append("drand value must be the round's randomness, 64 lowercase hex digits")
        if type(record["chain"]) is not str or not _HEX64.match(record["chain"]):
            problems.append("chain must be the drand chain hash, 64 lowercase hex digits")
        if type(record["round"]) is not int or record["round"] < 1:
            problems.append("round must be a positive integer")
    try:
        canonical.check(record)
    except CanonicalError as error:
        problems.append(str(error))
    return problems


# --- command line ---------------------------------------------------------------------------------


def add_cli(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "verify",
        help="recompute a revealed draw manifest; exit 0 only if everything matches",
        description="Recomputes the inputs hash, the secret against its commitment, the seed, every stratum's "
                    "selection and inclusion probabilities, the inspector assignment and every substitution.",
    )
    parser.add_argument("manifest", help="the revealed manifest (JSON)")
    parser.add_argument("--sealed", help="the sealed manifest published at the draw, to hold the reveal to it")
    parser.set_defaults(func=_run_verify)


def _run_verify(args: argparse.Namespace) -> int:
    try:
        manifest = _load(args.manifest)
        sealed = _load(args.sealed) if args.sealed else None
    except (OSError, ValueError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 2
    differences = verify(manifest, sealed)
    for line in differences:
        print(f"DIFFERS: {line}")
    if differences:
        return 1
    strata = ", ".join(f"{s['name']} {len(s['selected'])}" for s in manifest["strata"])
    print(f"OK: {manifest['inputs_hash']} — secret matches its commitment, seed, selection ({strata}), "
          f"assignment and {len(manifest['substitutions'])} substitution(s) re-computed identically")
    return 0


def _load(path: str) -> Any:
    # As tools/verify_draw.py reads it: utf-8-sig, because spec §2 accepts any JSON text of the value and an
    # editor may save the file with a BOM; an empty or non-JSON file is named as such, not as a parser position.
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte {error.start}): not a JSON manifest") from None
    if not text.strip():
        raise ValueError(f"{path} is empty: not a JSON manifest")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON ({error}): not a JSON manifest") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.load would silently keep the last of two equal keys; a published file must not be ambiguous.
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"key {key!r} appears twice in one object")
        data[key] = value
    return data
