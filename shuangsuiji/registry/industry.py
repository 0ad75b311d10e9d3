"""Industry codes (GB/T 4754-2017, 国民经济行业分类) as people type their beginnings to find targets or results.

The registry keeps a code as it was written, "C2614" or "2614" (the model's validator allows both), and the
published rows copy it; a prefix typed on the registry's list or the public portal means both ways.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q

INDUSTRY = re.compile(r"[A-Za-z]?\d{0,4}")

SECTIONS = {"A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
            "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
            "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97)}
"""GB/T 4754-2017: each section (门类) letter and its divisions (大类, the code's first two digits)."""


def industry_prefixes(typed: str) -> list[str]:
    """The stored code prefixes an industry prefix typed on the portal means, in the two ways codes are stored.

    The registry keeps a code as it was written, "C2614" or "2614" (GB/T 4754 either way; the model's validator
    allows both), and the published rows copy it. A division's two digits belong to one section, so "26",
    "C26" and "c26" all mean "C26…" or "26…"; "C" alone means "C…" or any of its divisions 13–43 written without
    the letter, and "C1" means "C1…" or 13–19 (not B's 10–12); "4" means "4…" or "C4…", "D4…", "E4…". An OR of
    prefixes, not a pattern: each one can use the ``varchar_pattern_ops`` index on PostgreSQL. ``typed`` is what
    the filter accepted (``INDUSTRY``).
    """
    letter, digits = (typed[0].upper(), typed[1:]) if typed[:1].isalpha() else ("", typed)
    if letter:
        return sorted({letter + digits} | _unlettered(letter, digits))
    return sorted({digits} | {section + digits for section in SECTIONS if _unlettered(section, digits)})


def _unlettered(section: str, digits: str) -> set[str]:
    """The prefixes of the codes of ``section`` that begin with ``digits``, written without the letter: a whole
    decade of divisions in one prefix (C is 13–19, 2, 3, 40–43), so that "C1" does not reach B's 10–12."""
    first, last = SECTIONS.get(section, (1, 0))
    divisions = range(first, last + 1)
    matching = [division for division in divisions if f"{division:02d}".startswith(digits[:2])]
    if len(digits) >= 2:
        return {digits} if matching else set()
    prefixes = set()
    for tens in {division // 10 for division in matching}:
        if all(tens * 10 + unit in divisions for unit in range(10)):
            prefixes.add(str(tens))
        else:
            prefixes.update(f"{division:02d}" for division in matching if division // 10 == tens)
    return prefixes


def industry_filter(typed: str, field: str = "industry_code") -> Q:
    """Rows whose ``field`` starts with one of ``industry_prefixes(typed)``."""
    query = Q()
    for prefix in industry_prefixes(typed):
        query |= Q(**{f"{field}__startswith": prefix})
    return query


# --- an item's industry scope (CheckItem.industries, 适用行业) ---------------------------------------------------

SCOPE_TOKEN = re.compile(r"[A-T](\d{2,4})?|\d{2,4}")
"""One code of an item's scope: a section letter alone, a letter with 2–4 digits, or 2–4 digits (GB/T 4754)."""

SCOPE_SEPARATORS = re.compile(r"[\s,;、]+")


class ScopeError(ValueError):
    """An item's industry scope holds a code that is no GB/T 4754-2017 code (``token``) for ``reason``."""

    def __init__(self, token: str, reason: str) -> None:
        super().__init__(token, reason)
        self.token = token
        self.reason = reason


def section_of(division: str) -> str:
    """The section letter of a two-digit division ("26" -> "C"); "" for a number no section has."""
    if len(division) < 2 or not division[:2].isdigit():
        return ""
    number = int(division[:2])
    return next((letter for letter, (first, last) in SECTIONS.items() if first <= number <= last), "")


def parse_scope(text: str) -> tuple[str, ...]:
    """The codes of an item's industry scope as typed, normalised: upper case, in the order given, each once.

    Codes are separated by spaces, commas, semicolons or 、 (full-width forms too). Raises ``ScopeError`` for the
    first code that is not a section letter, a letter with 2–4 digits or 2–4 digits, or whose division no
    section has ("99"), or whose letter is not its division's ("C06": 06 is B's) — such a code would never match.
    """
    codes: list[str] = []
    for raw in SCOPE_SEPARATORS.split(unicodedata.normalize("NFKC", text or "").strip()):
        if not raw:
            continue
        token = raw.upper()
        if not SCOPE_TOKEN.fullmatch(token):
            raise ScopeError(raw, "format")
        letter, digits = (token[0], token[1:]) if token[0].isalpha() else ("", token)
        if digits:
            section = section_of(digits)
            if not section:
                raise ScopeError(raw, "division")
            if letter and letter != section:
                raise ScopeError(raw, "section")
        if token not in codes:
            codes.append(token)
    return tuple(codes)


def normalise_scope(text: str) -> str:
    """``parse_scope`` joined by one space: the form an item's scope is stored in."""
    return " ".join(parse_scope(text))


def _lettered(code: str) -> str:
    """``code`` with its section letter: "2614" -> "C2614"; a letter-led code as it is; "" when no section has
    the division (a letter-less code with an unknown division)."""
    if code[:1].isalpha():
        return code.upper()
    section = section_of(code)
    return section + code if section else ""


def industry_in_scope(scope: str | Iterable[str], industry_code: str) -> bool:
    """Whether a target of ``industry_code`` is within an item's industry ``scope`` (its codes or prefixes).

    A blank scope is every industry. A target without a (known) code gets every item: the inspector can still
    mark one 不涉及, and one item too many is better than a check missed. Otherwise the code and the scope's codes
    are compared with their section letters, so "2614", "C2614", scope "C", "C26" and "26" agree. A target
    coded only as coarsely as "C26" (or "C") is within a finer scope "C2614": its class is not known, so the
    item may apply.
    """
    codes = parse_scope(scope) if isinstance(scope, str) else tuple(scope)
    if not codes:
        return True
    target = _lettered(unicodedata.normalize("NFKC", industry_code or "").strip())
    if not target:
        return True
    return any(target.startswith(lettered) or lettered.startswith(target)
               for lettered in (_lettered(code) for code in codes) if lettered)
