"""A whole quarter of demo Baoding by the documented commands (docs/operations.md), and the exported
manifest checked by the standalone verifier."""

import json
import re
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.demo.generator import generate
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus, Task, TaskStatus
from shuangsuiji.registry.models import Jurisdiction

from .conftest import seed_without_plans

pytestmark = pytest.mark.django_db
TOOLS = Path(__file__).resolve().parents[2] / "tools"
TODAY = date(2021, 12, 20)


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_baoding(module_db):
    """Demo Baoding up to the classifications, seeded once for this module (most of the module's time was the seed,
    repeated per test): the demo's own plans would take today's quarter."""
    seed_without_plans(generate("tiny", today=TODAY))


@pytest.fixture
def baoding(seeded_baoding, db):
    """The module's seed, in this test's own transaction: the plans a test makes are rolled back before the next
    (the second test gets the one plan of its quarter, which a leak of the first's would break)."""


def test_a_whole_quarter_by_commands(baoding, tmp_path):
    quarter = ["--year", "2021", "--quarter", "4", "--all"]
    out = run("plan_quarter", *quarter, "--joint-by-code", "ZF")
    scopes = Jurisdiction.objects.filter(level__in=["city", "county"]).count()
    plans = Plan.objects.filter(year=2021, quarter=4)
    assert plans.filter(kind=PlanKind.REGULAR).count() == scopes
    assert plans.filter(kind=PlanKind.JOINT).exists() and "内部联合抽查" in out
    assert "已冻结，输入哈希" in run("freeze_plan", *quarter, "--draw-date", "2021-09-24", "--today", "2021-09-24")
    assert "密钥承诺" in run("commit_plan", *quarter)
    run("record_public_value", *quarter, "--source", "dice", "--value", "3,5,1,6", "--witness", "张三",
        "--witness", "李四")
    assert "已抽取，种子" in run("draw_plan", *quarter, "--today", "2021-09-24")
    out = run("dispatch_plan", *quarter)
    assert set(plans.values_list("status", flat=True)) == {PlanStatus.DISPATCHED}
    # every task is sent once, with the first plan that drew its firm; the others say it went with another plan
    sent = [int(n) for n in re.findall(r"已派发 (\d+) 项任务", out)]
    assert len(sent) == plans.count() and sum(sent) == Task.objects.filter(year=2021, quarter=4).count(), out
    assert "已随其他计划派发" in out
    assert set(Task.objects.filter(year=2021, quarter=4).values_list("status", flat=True)) == {TaskStatus.DISPATCHED}

    plan = plans.get(jurisdiction__code="130608", kind=PlanKind.REGULAR)
    sealed = tmp_path / "sealed.json"
    run("export_manifest", str(plan.pk), "-o", str(sealed))
    assert json.loads(sealed.read_text())["state"] == "sealed" and "secret" not in sealed.read_text()
    run("reveal_plan", str(plan.pk))
    revealed = tmp_path / "manifest.json"
    run("export_manifest", str(plan.pk), "-o", str(revealed))
    check = subprocess.run([sys.executable, str(TOOLS / "verify_draw.py"), str(revealed), "--sealed", str(sealed)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("OK")


def test_commands_fail_loudly_on_bad_input(baoding):
    with pytest.raises(CommandError, match="--jurisdiction CODE 或 --all"):
        run("plan_quarter", "--year", "2021", "--quarter", "4")
    run("plan_quarter", "--year", "2021", "--quarter", "4", "--jurisdiction", "130608")
    plan = Plan.objects.get(year=2021, quarter=4)
    with pytest.raises(CommandError, match="1 个计划中 1 个承诺密钥失败"):
        run("commit_plan", str(plan.pk))  # not frozen yet
    with pytest.raises(CommandError, match="没有编号为 999 的计划"):
        run("freeze_plan", "999")
    errors = StringIO()
    with pytest.raises(CommandError, match="1 个计划中 1 个冻结失败"):
        call_command("freeze_plan", str(plan.pk), "--draw-date", "2021-09-23", "--today", "2021-09-24",
                     stdout=StringIO(), stderr=errors)
    assert "公布的抽取日期 2021-09-23 早于今天（2021-09-24）" in errors.getvalue()
    run("freeze_plan", str(plan.pk), "--draw-date", "2021-09-24", "--today", "2021-09-24")
    run("commit_plan", str(plan.pk))
    with pytest.raises(CommandError, match="录入公开随机数失败"):
        run("record_public_value", str(plan.pk), "--source", "dice", "--value", "3,5,1,6", "--witness", "张三")
    with pytest.raises(CommandError, match="尚未抽取"):
        run("export_manifest", str(plan.pk))
