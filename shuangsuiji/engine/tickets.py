"""Tickets of Rivest's consistent sampling (PyPI ``consistent-sampler``), computed exactly and fast.

Rivest's first ticket of an object is

    first_fraction(id, seed) = "0." + reverse( decimal( SHA-256( SHA-256-hex(seed) + id ) ), ≥ 64 digits )

that is: hash the seed string (UTF-8) and write the digest as 64 lowercase hex digits; hash that text
followed by the id (UTF-8); write the digest as a decimal integer, left-padded with zeros to at least
64 digits; reverse the digits (the high-order decimal digits of a 256-bit number are biased, the low
ones are not) and read them as a fraction 0.d1d2d3… in (0, 1). Objects are sampled in increasing
ticket order; the package breaks ties (only possible for equal digests) by id.

Here a ticket is kept as its digit string (without "0."): comparing two such strings as text is
exactly comparing the two fractions the way the package does (it compares the strings "0.ddd…"), so
the order is exact and no float is ever involved.
"""

import hashlib
import os
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import mod
from types import ModuleType

_native: ModuleType | None
"""The C accelerator (``_native.c``, built by ``scripts/build-native``) of the two hot ticket loops, or None:
then, or with SHUANGSUIJI_ENGINE_PURE=1 in the environment (read once, at import), the engine runs on its
pure-Python path, which is the reference the C code is tested against and gives the same results."""
try:
    from shuangsuiji.engine import _native
except ImportError:  # not built (no C compiler): the pure path
    _native = None
if os.environ.get("SHUANGSUIJI_ENGINE_PURE", "") not in ("", "0"):
    _native = None

_sha256 = hashlib.sha256
_from_bytes = int.from_bytes


def seed_hash(seed: str) -> str:
    """Rivest's ``sha256_hex(seed)``: the 64 hex digits every ticket of this seed starts from."""
    return _sha256(seed.encode("utf-8")).hexdigest()


def digits(id: str, seed: str) -> str:
    """The ticket of ``id`` under ``seed`` as its digit string (``first_fraction`` without "0.")."""
    return ticket_digits([id], seed_hash(seed))[0]


def first_fraction(id: str, seed: str) -> str:
    """Exactly ``consistent_sampler.first_fraction(id, seed)`` for string ids and seeds."""
    return "0." + digits(id, seed)


def ticket_digits(ids: Iterable[str], seed_hex: str) -> list[str]:
    """The tickets of many ids under one seed (given as ``seed_hash(seed)``), in the order of ``ids``.

    The national run computes a million of these, so the loop is kept to the bare operations: one
    SHA-256 whose first 64-byte block (the seed's hex, exactly one block) is hashed once and copied,
    one conversion to decimal, one reversal.
    """
    base = _sha256(seed_hex.encode("ascii"))
    # The 64 ASCII hex digits fill exactly one SHA-256 block, so the copied state has done that work.
    copy = base.copy
    tickets = []
    append = tickets.append
    for id in ids:
        state = copy()
        state.update(id.encode("utf-8"))
        append(str(_from_bytes(state.digest(), "big")).zfill(64)[::-1])
    return tickets


def ticket_values(ids: Iterable[str], seed_hex: str) -> list[int]:
    """The SHA-256 values (digests read as big-endian integers) behind the tickets of ``ids``: what
    ``ticket_digits`` writes in decimal, for callers that order many tickets and write few."""
    copy = _sha256(seed_hex.encode("ascii")).copy
    values = []
    append = values.append
    for id in ids:
        state = copy()
        state.update(id.encode("utf-8"))
        append(_from_bytes(state.digest(), "big"))
    return values


def value_digits(value: int) -> str:
    """The ticket digit string of a value from ``ticket_values``."""
    return str(value).zfill(64)[::-1]


def order_keys(values: Sequence[int]) -> list[int]:
    """The first eight digits of each ticket, read as a number: tickets with smaller keys are smaller.

    A ticket starts with the value's last decimal digits, reversed, so its first eight come from
    value mod 10^8 — one division by a small number and two look-ups, with no conversion of the whole
    value to decimal. Equal keys (about one pair in 10^8 / n) must be ordered by the whole ticket.
    """
    # operator.mod over the values, then one comprehension: two to three times faster than a chain of maps
    # over bound methods such as int.__rmod__, which CPython calls through a slower wrapper
    reversed_ = _REVERSED
    return [reversed_[low % 10_000] * 10_000 + reversed_[low // 10_000]
            for low in map(mod, values, repeat(_KEY_MODULUS))]


_KEY_MODULUS = 10**8
_HALF = 10**4
_REVERSED = [int(f"{k:04d}"[::-1]) for k in range(_HALF)]
"""The four digits of k (zero-padded) reversed, as a number: the four-digit piece of a key."""


def as_fraction(ticket: str) -> str:
    """A digit string as Rivest's ticket number text "0.ddd…"."""
    return "0." + ticket
