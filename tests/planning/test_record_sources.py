"""The field record says where the inspection comes from (the form's 检查来源): the plan(s) its task counts for,
whose titles name their kind, and for a 跨部门联合抽查 who initiated it and who took part. Before, the record page
and its PDF did not tell a cross-department check or a clue check from a random inspection."""

import shutil
import subprocess

import pytest
from django.test import Client

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork.pdf import render_record_pdf
from shuangsuiji.fieldwork.services import do_start_record, record_sources
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task

from .conftest import ceremony
from .test_cross_check import MARKET, create, today


def officer_of(task: Task, city) -> User:
    member = task.members.filter(active=True).select_related("inspector").first()
    return (User.objects.filter(inspector=member.inspector).first()
            or User.objects.create_user(username=f"officer{member.inspector.pk}", password="pw-officer",
                                        role=Role.INSPECTOR, jurisdiction=city["tree"]["a"],
                                        inspector=member.inspector))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_a_cross_department_record_names_its_plan_initiator_and_departments(city, tmp_path):
    county = city["users"]["county_admin"]
    plan = create(city, participants=["保定市应急管理局"])
    ceremony(plan, user=county, day=today())
    services.do_dispatch(plan, acting_user=county)
    task = Task.objects.order_by("pk").first()
    officer = officer_of(task, city)
    record = do_start_record(task, acting_user=officer)
    [line] = record_sources(record)
    assert line.startswith(str(plan)) and "跨部门联合抽查" in line
    assert f"发起部门：{MARKET}" in line and "保定市应急管理局" in line
    client = Client()
    client.force_login(officer)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "检查来源" in page and str(plan) in page
    path = tmp_path / "record.pdf"
    path.write_bytes(render_record_pdf(record))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "检查来源" in flat and "".join(str(plan).split()) in flat and MARKET in flat


def test_a_task_of_two_plans_names_both_once(city):
    """A firm the regular draw took and a cross-department check also names is one visit for both plans."""
    county = city["users"]["county_admin"]
    plan = create(city)
    ceremony(plan, user=county, day=today())
    task = Task.objects.order_by("pk").first()
    second = create(city, text=task.target.credit_code, initiator="", participants=["保定市应急管理局"])
    ceremony(second, user=county, day=today())
    task.refresh_from_db()
    assert task.selections.filter(active=True).count() == 2
    services.do_dispatch(plan, acting_user=county)
    services.do_dispatch(second, acting_user=county)
    record = do_start_record(task, acting_user=officer_of(task, city))
    lines = record_sources(record)
    assert [line.split("（发起部门")[0] for line in lines] == [str(plan), str(second)]
    assert "发起部门：" in lines[1] and lines[1].endswith("保定市应急管理局）")
