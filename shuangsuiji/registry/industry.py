"""Industry codes (GB/T 4754-2017, 国民经济行业分类) as people type their beginnings to find targets or results.

The registry keeps a code as it was written, "C2614" or "2614" (the model's validator allows both), and the
published rows copy it; a prefix typed on the registry's list or the public portal means both ways.
"""

import re

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
