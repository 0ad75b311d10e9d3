"""What never reaches the public, and how a published row is masked.

Two layers. The snapshot copies only public fields, so an officer's phone, a site manager's name or an ID
number has no column to land in. Free text that is copied (a problem's description) is scrubbed: numbers
that look like a phone or an identity card, and the names of the people the record names, become "＊".
Rules and case decisions (``RedactionRule``, ``RedactionCase``) then withhold a whole result or mask fields,
each with its legal basis, which the portal shows in place of what it hides.
"""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from shuangsuiji.engine import creditcode

MASK = "＊＊＊"

# Mainland mobile numbers, landlines with area code, 18- and 15-digit identity numbers, e-mail addresses.
# Digits around them must not be digits, so a credit code or a decision number is not cut into.
_PERSONAL = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"1[3-9]\d{9}"
    r"|0\d{2,3}-?\d{7,8}"
    r"|\d{17}[\dXx]"
    r"|\d{15}"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r")(?![0-9A-Za-z])"
)


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _is_id_number(text: str) -> bool:
    """An 18-character resident identity number: a province code, a birth date, the MOD 11-2 check."""
    if not (text[:17].isdigit() and "11" <= text[:2] <= "83"):
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(text, _ID_WEIGHTS, strict=False)) % 11]
    return 1900 <= born.year <= 2100 and text[17].upper() == check


def _mask(match: re.Match) -> str:
    found = match.group(0)
    # A credit code of 18 digits has the shape of an identity number; it is public (it names the enterprise)
    # and stays, unless it is also a well-formed identity number, when privacy wins.
    if len(found) == 18 and creditcode.is_valid(found) and not _is_id_number(found):
        return found
    return MASK


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without personal numbers and without the given personal names (two characters or more)."""
    return scrub_report(text, names)[0]


def scrub_report(text: str, names: Iterable[str] = ()) -> tuple[str, list[str]]:
    """``scrub`` and what it took out, in order of finding, each once: a correction's form shows the staff what
    would not be published of what they typed (the snapshot only needs the text)."""
    removed: list[str] = []

    def mask(match: re.Match) -> str:
        kept = _mask(match)
        if kept != match.group(0):
            removed.append(match.group(0))
        return kept

    text = _PERSONAL.sub(mask, text or "")
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        if name in text:
            removed.append(name)
            text = text.replace(name, MASK)
    return text, list(dict.fromkeys(removed))


def apply_mask(row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The row with ``fields`` masked; "industry" masks both industry columns, "problems" the descriptions
    while keeping each problem's handling (how a problem was dealt with is the point of publishing it)."""
    row = dict(row)
    for field in fields:
        if field == "industry":
            row["industry_code"] = ""
            row["industry_name"] = MASK
        elif field == "problems":
            row["problems"] = [dict(p, description=MASK) for p in row.get("problems", [])]
        elif field == "items":
            row["items"] = [dict(i, name=MASK, code="") for i in row.get("items", [])]
        elif field in ("target_name", "credit_code"):
            row[field] = MASK if field == "target_name" else ""
        else:
            raise ValueError(f"不能隐去的字段：{field}")
    return row
