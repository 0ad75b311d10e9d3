"""Fixtures of the intake tests: targets with outlets in the two counties of the ``tree`` fixture."""

import datetime
import io
from collections.abc import Iterable

import pytest

from shuangsuiji.registry.models import Outlet, Target
from tests.conftest import credit_code as code_for
from tests.conftest import xlsx_upload


def make_target(jurisdiction, serial: int, name: str, *, outlets: Iterable[str] = ()) -> Target:
    target = Target.objects.create(credit_code=code_for(jurisdiction.code, serial), name=name,
                                   jurisdiction=jurisdiction)
    for code in outlets:
        Outlet.objects.create(target=target, code=code, name=f"{code}排口", online_monitored=True)
    return target


@pytest.fixture
def targets(tree):
    """Four targets in county A (涞水县) and one in county B (阜平县)."""
    a, b = tree["a"], tree["b"]
    return {
        "plant": make_target(a, 1, "涞水县甲化工有限公司", outlets=["DA001", "DA002"]),
        "mill": make_target(a, 2, "涞水县乙造纸有限公司", outlets=["DW001"]),
        "shop": make_target(a, 3, "涞水县丙汽修厂"),
        "farm": make_target(a, 4, "涞水县丁养殖场"),
        "other": make_target(b, 5, "阜平县戊建材有限公司", outlets=["DA001"]),
    }


def workbook(rows: list[list]) -> io.BytesIO:
    """An .xlsx in memory with these rows (the first is the header)."""
    return xlsx_upload(rows)


def hour(day: datetime.date, h: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(h))
