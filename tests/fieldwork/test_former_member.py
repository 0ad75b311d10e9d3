"""A former member of a task (an admin replaced him, or withdrew the task) who opens its page, its record's page or
the record's PDF is told why he no longer may, in that page's own words — not the record form's "不能再保存、签名
或提交", not "not found" — and nothing he may no longer read: a former member reads nothing of the task (records
are read by the active team, ``RecordQuerySet.visible_to``; a substitution is refused once a record is sealed, so
no sealed record he signed exists). Anyone who never was on the team still gets 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Substitution, TaskMember
from shuangsuiji.registry.models import Target
from tests.clients import signed_in
from tests.fieldwork.test_live_changes import dispatched, user_of  # noqa: F401 (a fixture, a parameter here)
from tests.planning.conftest import ceremony, city  # noqa: F401 (a fixture, a parameter here)

pytestmark = pytest.mark.django_db


def pages(task, record):
    return {"brief": reverse("fieldwork:task_brief", args=[task.pk]),
            "detail": reverse("fieldwork:record_detail", args=[record.pk]),
            "pdf": reverse("fieldwork:record_pdf", args=[record.pk])}


@pytest.fixture
def replaced(city, dispatched):  # noqa: F811
    """The task's first member wrote a draft, then the county admin replaced him (病假)."""
    task, (leaving, staying, *_rest) = dispatched
    record = fieldwork.do_start_record(task, acting_user=leaving)
    fieldwork.do_save_draft(record, acting_user=leaving, values={"findings": "车间东侧有一处破损"})
    newcomer = services.do_substitute_inspector(task, leaving.inspector, reason="病假",
                                                acting_user=city["users"]["county_admin"]).inspector
    return task, record, leaving, staying, newcomer


def test_a_replaced_inspector_is_told_on_each_page_what_he_can_no_longer_do(city, replaced):  # noqa: F811
    task, record, leaving, _staying, newcomer = replaced
    change = Substitution.objects.get(task=task, old_inspector=leaving.inspector)
    when = timezone.localtime(change.acted_at).strftime("%Y-%m-%d %H:%M")
    admin = city["users"]["county_admin"].display_name
    client = signed_in(leaving)
    url = pages(task, record)
    answers = {name: client.get(address) for name, address in url.items()}
    assert {name: answer.status_code for name, answer in answers.items()} == {"brief": 403, "detail": 403, "pdf": 403}
    said = {name: answer.content.decode() for name, answer in answers.items()}
    number = fieldwork.task_number(task)
    grounds = f"您已不在任务{number}的检查组中（{when}由{admin}替换：病假）"
    assert f"{grounds}，不能再查看该任务的检查要点和企业情况，也不能安排或开始检查；请不要再去现场" in said["brief"]
    assert f"{grounds}，不能再查看检查记录{record.number}" in said["detail"]
    assert f"{grounds}，不能再下载检查记录{record.number}的PDF" in said["pdf"]
    for name, html in said.items():
        # the form's wording is the form's; the new team and the target's file are no longer his to read
        assert "不能再保存、签名或提交" not in html and "由现检查组填写" not in html, name
        assert newcomer.name not in html and "车间东侧有一处破损" not in html, name
    for name in ("task_plan", "task_start"):  # an open brief page's buttons say the same
        posted = client.post(reverse(f"fieldwork:{name}", args=[task.pk]), {"planned_on": "2021-05-01"})
        assert posted.status_code == 403 and grounds in posted.content.decode(), name
    # the record form keeps its own words
    form = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert "由现检查组填写、签名和提交" in form


def test_a_withdrawn_tasks_former_member_is_told_it_was_withdrawn(city, dispatched):  # noqa: F811
    task, (member, *_rest) = dispatched
    record = fieldwork.do_start_record(task, acting_user=member)
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    services.do_substitute_target(task, reason="企业已关停注销", acting_user=city["users"]["county_admin"])
    client = signed_in(member)
    url = pages(task, record)
    number = fieldwork.task_number(task)
    admin = city["users"]["county_admin"].display_name
    brief = client.get(url["brief"])
    assert brief.status_code == 403
    assert f"任务{number}已于" in brief.content.decode() and f"由{admin}撤销（企业已关停注销），不必再去检查" in \
        brief.content.decode()
    detail, pdf = client.get(url["detail"]), client.get(url["pdf"])
    assert detail.status_code == pdf.status_code == 403
    assert f"撤销（企业已关停注销），检查记录{record.number}不再向您显示" in detail.content.decode()
    assert f"撤销（企业已关停注销），不能再下载检查记录{record.number}的PDF" in pdf.content.decode()


def test_who_never_was_on_the_team_is_not_told_it_exists(city, replaced):  # noqa: F811
    task, record, *_rest = replaced
    others = [i for i in city["people"].values() if not task.members.filter(inspector=i).exists()
              and i.jurisdiction_id == task.target.jurisdiction_id]
    stranger = user_of(others[0])
    client = signed_in(stranger)
    for name, address in pages(task, record).items():
        assert client.get(address).status_code == 404, name


def test_the_team_and_the_admins_still_read_what_they_read(city, replaced):  # noqa: F811
    task, record, _leaving, staying, newcomer = replaced
    url = pages(task, record)
    for user in (staying, user_of(newcomer)):
        client = signed_in(user)
        assert [client.get(url[n]).status_code for n in ("brief", "detail", "pdf")] == [200, 200, 200]
    admin = signed_in(city["users"]["county_admin"])
    assert [admin.get(url[n]).status_code for n in ("brief", "detail", "pdf")] == [200, 200, 200]
    # a leader and a department user read submitted records only: a draft is not theirs, and not explained
    for role in ("leader", "department_user"):
        client = signed_in(city["users"][role])
        assert client.get(url["brief"]).status_code == 200, role
        assert client.get(url["detail"]).status_code == 404, role
        assert client.get(url["pdf"]).status_code == 404, role


def test_a_member_whose_draw_no_longer_holds_the_visit_is_told_of_the_redraw_not_of_a_replacement(
        city, dispatched):  # noqa: F811
    task, (member, *_rest) = dispatched
    record = fieldwork.do_start_record(task, acting_user=member)
    # what planning.services._supersede does to the team of a draw drawn again while another plan keeps the visit
    # (a merged visit): his place on it ends, and no Substitution names him
    TaskMember.objects.filter(task=task, inspector=member.inspector).update(active=False)
    client = signed_in(member)
    url = pages(task, record)
    said = {name: client.get(address) for name, address in url.items()}
    assert {name: answer.status_code for name, answer in said.items()} == {"brief": 403, "detail": 403, "pdf": 403}
    html = {name: answer.content.decode() for name, answer in said.items()}
    grounds = f"任务{fieldwork.task_number(task)}所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员"
    assert f"{grounds}，不能再查看该任务的检查要点和企业情况" in html["brief"]
    assert f"{grounds}，不能再查看检查记录{record.number}" in html["detail"]
    assert f"{grounds}，不能再下载检查记录{record.number}的PDF" in html["pdf"]
    for name, page in html.items():
        assert "替换" not in page, name  # nobody replaced him: no "— 由 — 替换：—"
    form = client.get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    assert f"{grounds}；检查记录{record.number}由现检查组填写、签名和提交" in form
