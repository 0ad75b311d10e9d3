"""What management commands share: who a command acts as, and the years a command accepts."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from shuangsuiji import params

YEARS = range(params.FIRST_DAY.year + 1, params.LAST_DAY.year)
"""The years a command accepts (2–9998): those every day of which can be stored (``params.storable_day``), and
whose neighbours a quarter's or a month's work reaches (the quarter before, the next year's deadlines) exist."""


def acting_user(username: str | None):
    """The user named by a command's ``--user`` (None, the system, when not given); a clear error if unknown."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户“{username}”")
    return user


def check_year(year: int | None, option: str = "--year") -> None:
    """Refuse a year outside ``YEARS``, naming the option and the value: such a year reached ``date()``
    (ValueError) or the database's integers (OverflowError) as a traceback."""
    if year is not None and year not in YEARS:
        raise CommandError(f"{option} {year} 超出范围：年度应在 {YEARS[0]} 至 {YEARS[-1]} 之间")
