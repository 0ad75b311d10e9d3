"""Who reads which positive-list firms' clues, and who decides them.

A clue tells where the bureau suspects a violation before anyone has looked: the enforcement unit decides it (its
admins), leaders read their scope, a department user reads his own section's, an inspector the clues he reported
(and those tied to his own tasks, tests/planning/test_four_eyes.py). Nobody decides a clue he reported himself.
Everything goes through the one scoping gate, ``Clue.objects.visible_to``."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.workbench import approvals
from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Clue, ClueSource, ClueStatus, Complaint, PositiveListEntry
from shuangsuiji.intake.services import do_decide_clue, do_report_clue, do_save_positive_entry

D = datetime.date
ROLES = ["superuser", "city_admin", "county_admin", "other_county_admin", "department_user", "inspector", "leader"]


@pytest.fixture
def people(users, tree):
    colleague = User.objects.create_user(username="colleague", password="pw", role=Role.DEPARTMENT,
                                         jurisdiction=tree["a"], department=tree["departments"]["130623"])
    other_section = User.objects.create_user(username="other_section", password="pw", role=Role.DEPARTMENT,
                                             jurisdiction=tree["city"], department=tree["departments"]["130600"])
    superuser = User.objects.create_superuser(username="superuser", password="pw")
    return {**users, "colleague": colleague, "other_section": other_section, "superuser": superuser}


@pytest.fixture
def clues(people, targets):
    for key in ("plant", "mill", "other"):
        do_save_positive_entry(PositiveListEntry(target=targets[key], start=D(2021, 1, 1),
                                                 document_number="环〔2021〕1号"), acting_user=None)
    complaint = Complaint.objects.create(reference="12369-A-1", received_on=D(2021, 2, 2), channel="12369",
                                         target=targets["plant"], content="夜间异味")

    def report(key, who, text, **extra):
        return do_report_clue(Clue(target=targets[key], source=extra.pop("source", ClueSource.OFF_SITE),
                                   found_on=D(2021, 2, 3), description=text, **extra), acting_user=people[who])

    return {
        "department": report("plant", "department_user", "科室发现：雨水排口异常", source=ClueSource.COMPLAINT,
                             complaint=complaint),
        "colleague": report("plant", "colleague", "同科室同事发现：在线监控夜间数据平直"),
        "other_section": report("mill", "other_section", "市局支队发现：危废台账缺失"),
        "county": report("mill", "county_admin", "分局发现：治污设施未运行"),
        "inspector": report("plant", "inspector", "执法人员发现：异常排放"),
        "other_county": report("other", "superuser", "阜平县：群众反映黑烟"),
        "complaint": complaint,
    }


A_CLUES = {"department", "colleague", "other_section", "county", "inspector"}
SEES = {
    "superuser": A_CLUES | {"other_county"},
    "city_admin": A_CLUES | {"other_county"},
    "leader": A_CLUES | {"other_county"},
    "county_admin": A_CLUES,
    "other_county_admin": {"other_county"},
    "department_user": {"department", "colleague"},  # his section's, not the city unit's nor the admins'
    "inspector": {"inspector"},  # his own; tied to his tasks: tests/planning/test_four_eyes.py
}
CLUE_KEYS = sorted(A_CLUES | {"other_county"})


@pytest.mark.parametrize("role", ROLES)
def test_the_gate_gives_each_role_its_clues(people, clues, role):
    visible = set(Clue.objects.visible_to(people[role]).values_list("pk", flat=True))
    assert visible == {clues[key].pk for key in SEES[role]}


@pytest.mark.parametrize("role", ROLES)
def test_the_list_and_the_detail_follow_the_gate(client, people, clues, role):
    client.force_login(people[role])
    listing = client.get(reverse("intake:clue_list")).content.decode()
    pending = client.get(reverse("intake:clue_list") + "?status=pending").content.decode()
    for key in CLUE_KEYS:
        url = reverse("intake:clue_detail", args=[clues[key].pk])
        seen = key in SEES[role]
        assert (clues[key].description[:20] in listing) == seen, key
        assert (clues[key].description[:20] in pending) == seen, key
        assert client.get(url).status_code == (200 if seen else 404), key
    # a section and an officer are told why the list is short
    assert ('id="clues-whose"' in listing) == (role in ("department_user", "inspector"))
    # the 线索 card of the intake home counts what the list shows
    [card] = [c for c in client.get(reverse("intake:home")).context["cards"] if c["kind"] == "clues"]
    assert card["count"] == len(SEES[role])


@pytest.mark.parametrize("role", ROLES)
def test_a_clue_outside_the_gate_cannot_be_decided_nor_checked(client, people, clues, role):
    client.force_login(people[role])
    for key in CLUE_KEYS:
        if key in SEES[role]:
            continue
        clue = clues[key]
        assert client.post(reverse("intake:clue_decide", args=[clue.pk]),
                           {"decision": "approve", "reason": "同意"}).status_code == 404
        assert client.post(reverse("planning:clue_check_open", args=[clue.pk])).status_code == 404
        clue.refresh_from_db()
        assert clue.status == ClueStatus.PENDING


def test_anonymous_reads_no_clue(client, clues):
    for url in (reverse("intake:clue_list"), reverse("intake:clue_detail", args=[clues["department"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("intake:clue_decide", args=[clues["department"].pk]),
                           {"decision": "approve", "reason": "同意"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Clue.objects.visible_to(None).count() == 0


def test_the_complaint_and_the_positive_list_pages_list_only_the_clues_the_reader_may_open(client, people, clues):
    entry = PositiveListEntry.objects.get(target=clues["department"].target)
    client.force_login(people["other_section"])  # the city unit reads county A's complaints and its positive list
    complaint_page = client.get(reverse("intake:complaint_detail", args=[clues["complaint"].pk])).content.decode()
    entry_page = client.get(reverse("intake:positive_detail", args=[entry.pk])).content.decode()
    assert "雨水排口异常" not in complaint_page
    assert "雨水排口异常" not in entry_page and "夜间数据平直" not in entry_page
    client.force_login(people["department_user"])
    assert "雨水排口异常" in client.get(reverse("intake:complaint_detail", args=[clues["complaint"].pk])
                                      ).content.decode()
    entry_page = client.get(reverse("intake:positive_detail", args=[entry.pk])).content.decode()
    assert "雨水排口异常" in entry_page and "夜间数据平直" in entry_page and "异常排放" not in entry_page


# --- four eyes -----------------------------------------------------------------------------------------------


def test_an_admin_does_not_decide_a_clue_he_reported(people, clues):
    clue = clues["county"]  # reported by county A's admin
    with pytest.raises(PermissionDenied, match="不能审批本人报告的线索"):
        do_decide_clue(clue, approve=True, reason="同意", acting_user=people["county_admin"])
    clue.refresh_from_db()
    assert (clue.status, clue.decided_by, clue.decided_at) == (ClueStatus.PENDING, None, None)
    assert not Event.objects.filter(action="clue.approve").exists()
    do_decide_clue(clue, approve=True, reason="同意现场核查", acting_user=people["city_admin"])
    clue.refresh_from_db()
    assert (clue.status, clue.decided_by) == (ClueStatus.APPROVED, people["city_admin"])


def test_the_superuser_does_not_decide_his_own_clue_either(people, clues):
    with pytest.raises(PermissionDenied):
        do_decide_clue(clues["other_county"], approve=False, reason="不属实", acting_user=people["superuser"])
    do_decide_clue(clues["other_county"], approve=False, reason="不属实", acting_user=people["other_county_admin"])


def test_the_reporter_s_page_offers_no_decision_and_a_post_is_refused_with_a_message(client, people, clues):
    clue = clues["county"]
    client.force_login(people["county_admin"])
    page = client.get(reverse("intake:clue_detail", args=[clue.pk])).content.decode()
    assert 'id="clue-own"' in page and "执法机构负责人审批" not in page
    response = client.post(reverse("intake:clue_decide", args=[clue.pk]), {"decision": "approve", "reason": "同意"},
                           follow=True)
    assert response.status_code == 200 and "不能审批本人报告的线索" in response.content.decode()
    clue.refresh_from_db()
    assert clue.status == ClueStatus.PENDING
    client.force_login(people["city_admin"])  # another admin sees the form
    page = client.get(reverse("intake:clue_detail", args=[clue.pk])).content.decode()
    assert "执法机构负责人审批" in page and 'id="clue-own"' not in page


def city_total(people) -> int:
    """What county A's queue holds for someone who reported none of it: its five pending clues."""
    return Clue.objects.visible_to(people["county_admin"]).filter(status=ClueStatus.PENDING).count()


def test_the_workbench_counts_no_clue_of_his_own_but_says_it_waits_for_another_admin(people, clues):
    items = approvals(people["county_admin"], D(2021, 2, 10))
    titles = [item.note for item in items.items]
    assert not any("治污设施未运行" in note for note in titles)  # his own
    assert any("雨水排口异常" in note for note in titles)
    assert "您提交的 1 项待他人审批" in items.aside and items.total == city_total(people) - 1
    city = approvals(people["city_admin"], D(2021, 2, 10))
    assert city.aside == ""
    assert any("治污设施未运行" in item.note for item in city.items)


def test_the_approvals_page_marks_his_own_clue_and_says_another_admin_decides_it(client, people, clues):
    client.force_login(people["county_admin"])
    page = client.get(reverse("fieldwork:approvals")).content.decode()
    assert page.count("data-own-request") == 1 and 'id="fw-approvals-own"' in page
    assert "治污设施未运行" in page and "雨水排口异常" in page  # listed all the same, his own marked
    client.force_login(people["city_admin"])
    assert "data-own-request" not in client.get(reverse("fieldwork:approvals")).content.decode()
