"""Checks of values typed into more than one place (the registry's forms and imports, the field record), so
that every path refuses the same things with the same words."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

REASON_LENGTH = 1000
"""The most characters of a reason, an opinion or a decision typed into a form: enough for any real one, and
a pasted document or a held-down key is refused rather than stored and shown on every page that cites it."""

LONGITUDE = (73, 136)
LATITUDE = (3, 54)
"""China's extent in degrees (east longitude, north latitude), rounded outwards: a coordinate outside it is a
typo (a swapped pair, a missing minus sign, a value in another unit) and would send the inspector's map astray."""

_PHONE_CHARACTERS = re.compile(r"[0-9０-９+＋\-－—()（）\s,，、/;；转]*(?:ext\.?\s*[0-9]+)?", re.IGNORECASE)
PHONE_DIGITS = (7, 24)  # two numbers, or one with an extension, fit; a pasted row of digits does not


@deconstructible
class PhoneValidator:
    """A telephone number as people write them: 0312-1234567, 138 0000 0000, (0312)1234567转801, two numbers
    separated by 、 or a comma. Only the characters such numbers use, and 7 to 24 digits in all."""

    def __call__(self, value: str) -> None:
        text = (value or "").strip()
        if not text:
            return
        if not _PHONE_CHARACTERS.fullmatch(text):
            raise ValidationError(_("电话号码只能由数字、空格、+、-、括号组成，分机号用“转”连接"), code="phone")
        digits = sum(character.isdigit() for character in text)
        if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            raise ValidationError(_("电话号码应有 %(low)s 到 %(high)s 位数字（现为 %(n)s 位）") % {
                "low": PHONE_DIGITS[0], "high": PHONE_DIGITS[1], "n": digits}, code="phone")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhoneValidator)


validate_phone = PhoneValidator()


def coordinate_validators(bounds: tuple[int, int], message) -> list:
    """The model validators of a coordinate within ``bounds`` (LONGITUDE or LATITUDE), refused with ``message``."""
    low, high = bounds
    return [MinValueValidator(Decimal(low), message), MaxValueValidator(Decimal(high), message)]


LONGITUDE_MESSAGE = _("经度应在 73 到 136 之间（中国境内的东经度数）")
LATITUDE_MESSAGE = _("纬度应在 3 到 54 之间（中国境内的北纬度数）")


EARLIEST_DAY = date(1949, 10, 1)


def past_day_problem(day: date) -> str | None:
    """What is wrong with a day that must have happened (a decision, a complaint received, a closure, a clue
    found), or None. One after today, or before 1949-10-01, is a typing error (2099 for 2009): stored, it would
    count in a quarter's classification for years, or move a target in or out of the draws."""
    today = timezone.localdate()
    if day > today:
        return str(_("不能晚于今天（%(today)s）") % {"today": today.isoformat()})
    if day < EARLIEST_DAY:
        return str(_("早于 1949-10-01，请核对年份"))
    return None


@deconstructible
class PastDayValidator:
    """The model validator of such a day (the forms of the pages refuse what the imports refuse)."""

    def __call__(self, value: date | None) -> None:
        problem = past_day_problem(value) if value is not None else None
        if problem:
            raise ValidationError(problem, code="not_past")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PastDayValidator)


validate_past_day = PastDayValidator()


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_YEAR_IN_BRACKETS = re.compile(r"[\[(（【［〔﹝]\s*([0-9]{4})\s*[\])）】］〕﹞]")


def document_number(text: str) -> str:
    """A document's number (文号, e.g. a penalty decision's) in one spelling: the year in 六角括号 〔〕 as GB/T
    9704-2012 7.2.4 writes it, whatever brackets were typed ([2021], 【2021】, （2021）), Arabic digits in ASCII,
    no blanks around. One decision typed two ways was two penalties, counted twice by the classification."""
    return _YEAR_IN_BRACKETS.sub(r"〔\1〕", text.translate(_FULL_WIDTH_DIGITS).strip())
