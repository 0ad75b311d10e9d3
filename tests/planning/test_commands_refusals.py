"""The ceremony's commands refuse what they cannot use — a plan number past the database's integers, a year no
date has, an unknown jurisdiction, an output path that is a folder or lies in no folder — with a CommandError
naming the problem (exit code 1), never a traceback, and write nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.planning.models import Plan

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"
STEPS = ["freeze_plan", "commit_plan", "reveal_plan", "dispatch_plan", "draw_plan", "record_public_value"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize("command", [*STEPS, "export_manifest"])
def test_a_plan_number_past_the_database_s_integers_is_no_plan(tree, command):
    extra = ["--source", "dice", "--value", "1"] if command == "record_public_value" else []
    with pytest.raises(CommandError, match=f"没有编号为 {HUGE} 的计划"):
        run(command, HUGE, *extra)


def test_each_missing_number_is_named_among_several(tree):
    with pytest.raises(CommandError, match=f"没有编号为 {HUGE}、7 的计划"):
        run("reveal_plan", HUGE, "7")


@pytest.mark.parametrize("year", ["0", "1", "9999", "99999999999"])
@pytest.mark.parametrize("command", STEPS)
def test_a_step_refuses_a_year_no_date_has(tree, command, year):
    extra = ["--source", "dice", "--value", "1"] if command == "record_public_value" else []
    with pytest.raises(CommandError, match=f"--year {year} 超出范围"):
        run(command, "--year", year, "--quarter", "1", "--all", *extra)


@pytest.mark.parametrize("year", ["0", "1", "9999", "99999999999"])
def test_plan_quarter_refuses_a_year_no_date_has_and_plans_nothing(tree, year):
    with pytest.raises(CommandError, match=f"--year {year} 超出范围：年度应在 2 至 9998 之间"):
        run("plan_quarter", "--year", year, "--quarter", "1", "--all")
    assert not Plan.objects.exists()


def test_an_unknown_jurisdiction_code_is_named_as_unknown(tree):
    with pytest.raises(CommandError, match="没有行政区划代码为 ZZZ 的行政区"):
        run("reveal_plan", "--year", "2026", "--quarter", "4", "--jurisdiction", "ZZZ")
    with pytest.raises(CommandError, match="2026年第4季度没有符合条件的计划"):  # a known code without plans
        run("reveal_plan", "--year", "2026", "--quarter", "4", "--jurisdiction", "130623")


def test_export_manifest_refuses_a_folder_or_a_missing_folder_before_anything(tree, tmp_path):
    with pytest.raises(CommandError, match="是一个目录"):
        run("export_manifest", "42", "-o", str(tmp_path))
    with pytest.raises(CommandError, match=r"目录 .* 不存在"):
        run("export_manifest", "42", "-o", str(tmp_path / "nonexistent" / "m.json"))
    assert list(tmp_path.iterdir()) == []
