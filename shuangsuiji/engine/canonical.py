"""Canonical JSON and its SHA-256: the one byte form in which draws are hashed and published.

A draw is only verifiable if everybody hashes the same bytes. The form (docs/draw-spec.md §2):

* values are objects, arrays, strings and integers only: no floats (a float's decimal form differs
  between languages, and floating point must never decide a selection), no booleans (flags are the
  integers 0 and 1), no null;
* strings are Unicode in NFC and contain no lone surrogates;
* object keys are sorted by Unicode code point, no whitespace anywhere;
* strings are written as UTF-8; only ``"``, ``\\`` and the control characters U+0000–U+001F are
  escaped (``\\b \\f \\n \\r \\t``, the rest as ``\\u00xx`` with lowercase hex);
* integers in decimal, a minus sign when negative, no leading zeros.

Fractions are written as strings ``"p/q"`` in lowest terms (``"1/1"`` for certainty) by
``fraction_text``. This is exactly what Python's ``json.dumps(value, ensure_ascii=False,
sort_keys=True, separators=(",", ":"))`` writes for such values: ``dumps_reference``, the reference. ``dumps``
writes the same bytes with orjson when it is installed (about ten times faster: a national quarter writes
hundreds of megabytes of manifests), and with the reference when it is not, or when orjson refuses a value
(an integer beyond 64 bits). tests/engine/test_canonical_writers.py holds the two to the same bytes on
arbitrary canonical values.
"""

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from itertools import chain, compress
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a deployment without it writes the same bytes with the reference
    orjson = None


class CanonicalError(ValueError):
    """A value that has no canonical form; the message names where it is (a JSON-path-like string)."""


def check(value: Any, where: str = "$") -> None:
    """Raise CanonicalError unless ``value`` is made of dicts, lists, NFC strings and non-bool ints only."""
    fine = _small_fine(value)
    if fine is None:
        fine = _items_fine([value])
    if not fine:
        _explain(value, where)
        raise CanonicalError(f"{where}: no canonical form")


_SMALL = 256
"""Values of at most this many members are checked one by one: a draw checks thousands of small values (public
values, sealed manifests), for which the grouping of ``_items_fine`` costs more than it saves."""


def _small_fine(value: Any) -> bool | None:
    """Whether a value of at most ``_SMALL`` members has a canonical form; None for a larger value."""
    stack = [value]
    texts: list[str] = []
    steps = 0
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            texts.append(item)
        elif kind is dict:
            keys = list(item)
            if not set(map(type, keys)) <= _TEXT:
                return False
            texts += keys
            stack += item.values()
        elif kind is list or kind is tuple:
            if set(map(type, item)) <= _TEXT:  # a list of texts (selected ids, witnesses) at once
                texts += item
                steps += len(item)
            else:
                stack += item
        elif kind is not int:
            return False
        steps += 1
        if steps > _SMALL:
            return None
    return all_nfc(texts)


def _items_fine(items: list[Any]) -> bool:
    # Manifests hold millions of values. They are checked in groups — first the whole value, then the
    # members of its containers — by each group's set of types, with the strings of a group joined into one
    # text, so that the loops run in C and the number of Python steps grows with the shape of the tree, not
    # its size. Arrays of one length (a stratum's [id, weight, must_include] rows) and objects with the same
    # keys (tasks, inspectors, picks) are split into columns: a column usually holds one type, so it needs
    # no filtering by type and its strings are already a list of strings.
    groups: list[Sequence[Any]] = [items]
    while groups:
        group = groups.pop()
        if not group:
            continue
        kinds = set(map(type, group))
        if not kinds <= _ALLOWED:
            return False
        if len(kinds) > 1:
            types = list(map(type, group))
            groups.extend(list(_having(group, types, {kind})) for kind in kinds)
            continue
        (kind,) = kinds
        if kind is str:
            if not all_nfc(group):
                return False
        elif kind is dict:
            # many objects with a few keys in common become columns; one large object (a map by id) does not
            layouts = set(map(tuple, group)) if len(group) > 1 else ()
            if len(layouts) == 1 and len(group) >= 2 * len(next(iter(layouts))):
                (keys,) = layouts
                if not set(map(type, keys)) <= _TEXT or not all_nfc(keys):
                    return False
                groups.extend(zip(*map(dict.values, group), strict=True))
            else:
                keys = list(chain.from_iterable(group))
                if not set(map(type, keys)) <= _TEXT or not all_nfc(keys):
                    return False
                groups.append(list(chain.from_iterable(map(dict.values, group))))
        elif kind is not int:  # a list or tuple
            if len(group) >= 2 * len(group[0]) and len(set(map(len, group))) == 1:
                groups.extend(zip(*group, strict=True))
            else:
                groups.append(list(chain.from_iterable(group)))
    return True


def _having(items: Sequence[Any], types: list[type], wanted: set[type]) -> Iterator[Any]:
    """The items whose type is in ``wanted`` (filtered in C)."""
    return compress(items, map(wanted.__contains__, types))


_TEXT = {str}
_ALLOWED = {str, int, list, tuple, dict}


def all_nfc(texts: Sequence[str]) -> bool:
    """True when every text is NFC and encodable as UTF-8 (no lone surrogates), checked in one pass."""
    joined = "\0".join(texts)
    if joined.isascii():
        return True
    # NUL is a starter that composes with nothing, so the joined text is NFC exactly when every part is
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return unicodedata.is_normalized("NFC", joined)


def _explain(value: Any, where: str) -> None:
    """Find the first value without a canonical form and raise CanonicalError naming where it is."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        kind = type(item)
        if kind is str:
            _check_text(item, path)
        elif kind is int:
            continue
        elif kind is dict:
            for key, member in item.items():
                if type(key) is not str:
                    raise CanonicalError(f"{path}: object key {key!r} is not a string")
                _check_text(key, f"{path} (key)")
                stack.append((member, f"{path}.{key}"))
        elif kind is list or kind is tuple:
            stack.extend((member, f"{path}[{n}]") for n, member in enumerate(item))
        else:
            raise CanonicalError(f"{path}: {kind.__name__} {item!r} has no canonical form "
                                 "(only objects, arrays, strings and integers)")


def _check_text(text: str, path: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise CanonicalError(f"{path}: string {text!r} contains a lone surrogate") from None
        if not unicodedata.is_normalized("NFC", text):
            raise CanonicalError(f"{path}: string {text!r} is not in Unicode NFC")


def nfc(text: str) -> str:
    """The NFC form of ``text``: how every string is normalised before it is frozen."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def dumps(value: Any, *, check_first: bool = True) -> bytes:
    """The canonical JSON bytes of ``value``. ``check_first=False`` is for a value its caller has just
    checked itself (a manifest's inputs, read strictly), so that millions of values are not walked twice."""
    if check_first:
        check(value)
    if _fast is not None:
        try:
            return _fast(value)
        except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits (or no canonical form at all)
            pass
    return dumps_reference(value)


def dumps_reference(value: Any) -> bytes:
    """The reference writer of the canonical form (docs/draw-spec.md §2), without any check."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _orjson_dumps(value: Any) -> bytes:
    # Compact by default; OPT_SORT_KEYS sorts keys by their UTF-8 bytes, which is code point order; strings
    # are written as UTF-8 with exactly the reference's escapes (\" \\ \b \f \n \r \t, \u00xx below U+0020).
    data: bytes = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return data


_fast: Callable[[Any], bytes] | None = _orjson_dumps if orjson is not None else None
"""The writer ``dumps`` tries first; None for the reference alone."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """SHA-256 (64 lowercase hex digits) of the canonical JSON of ``value``."""
    return sha256_hex(dumps(value))


def fraction_text(value: Fraction) -> str:
    """A rational as the canonical string ``"p/q"`` in lowest terms (``Fraction`` keeps it reduced)."""
    return f"{value.numerator}/{value.denominator}"


def parse_fraction(text: str) -> Fraction:
    """The inverse of ``fraction_text``; only the exact canonical form is accepted."""
    numerator, slash, denominator = text.partition("/")
    if not slash or not _is_decimal(numerator) or not _is_decimal(denominator):
        raise CanonicalError(f"{text!r} is not a fraction p/q")
    value = Fraction(int(numerator), int(denominator))
    if fraction_text(value) != text:
        raise CanonicalError(f"{text!r} is not in lowest terms (canonical form {fraction_text(value)!r})")
    return value


def _is_decimal(text: str) -> bool:
    return text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0"))
