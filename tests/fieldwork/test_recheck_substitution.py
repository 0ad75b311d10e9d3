"""An officer of a re-check who is ill or recused is replaced by an admin of the target's jurisdiction
(``services.do_substitute_recheck_officer``), by the task's rules where they are the same: a reason; refused once
the re-check record is sealed; the newcomer an officer in post of the replaced one's unit, with a valid certificate
and no recusal from the target; an audit event; the former officer told why (403), his phone told "reassigned"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import RecheckSubstitution
from shuangsuiji.registry.models import Inspector, InspectorStatus, Recusal
from tests.clients import signed_in

from .conftest import fill, rechecked, sign_all

pytestmark = pytest.mark.django_db


def substitute(recheck, users, team, role="county_admin", newcomer=None, reason="病假"):
    return services.do_substitute_recheck_officer(recheck, team["second"], newcomer or team["outsider_inspector"],
                                                  reason=reason, acting_user=users[role])


@pytest.mark.parametrize("role", ["county_admin", "city_admin"])
def test_an_admin_replaces_an_officer(recheck, users, team, role):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    sign_all(fill(draft, users["inspector"]), users["inspector"])
    assert draft.signatures.filter(inspector=team["second"]).exists()
    substitution = substitute(recheck, users, team, role)
    assert set(recheck.team.all()) == {team["first"], team["outsider_inspector"]}
    assert substitution.old_inspector == team["second"] and substitution.acted_by == users[role]
    event = Event.objects.get(action="recheck.substitute_officer", object_id=str(recheck.pk))
    assert event.reason == "病假" and event.changes["in"] == [None, team["outsider_inspector"].certificate_number]
    # his signature goes (only he could remove it); the newcomer writes and signs the draft
    assert not draft.signatures.filter(inspector=team["second"]).exists()
    with pytest.raises(PermissionDenied):
        services.do_save_draft(draft, acting_user=team["partner"], values={"findings": "x"})
    services.do_save_draft(draft, acting_user=team["outsider"], values={"findings": "接替后复查。"})


@pytest.mark.parametrize("role", ["other_county_admin", "leader", "department_user", "inspector"])
def test_others_may_not_replace(recheck, users, team, role):
    with pytest.raises(PermissionDenied):
        substitute(recheck, users, team, role)
    assert not RecheckSubstitution.objects.exists() and team["second"] in recheck.team.all()


@pytest.mark.parametrize("role", ["other_county_admin", "leader", "department_user", "inspector"])
def test_the_page_offers_it_to_admins_only(recheck, users, team, role):
    url = reverse("fieldwork:recheck_substitute", args=[recheck.pk])
    page = signed_in(users[role]).get(recheck.get_absolute_url())
    assert url not in page.content.decode()
    answer = signed_in(users[role]).post(url, {"member": team["second"].pk,
                                               "newcomer": team["outsider_inspector"].pk, "reason": "病假"})
    assert answer.status_code in (302, 403, 404)
    assert team["second"] in recheck.team.all() and not RecheckSubstitution.objects.exists()


def test_the_admin_page_replaces(recheck, users, team):
    client = signed_in(users["county_admin"])
    url = reverse("fieldwork:recheck_substitute", args=[recheck.pk])
    page = client.get(recheck.get_absolute_url()).content.decode()
    assert url in page and f'value="{team["outsider_inspector"].pk}"' in page
    refused = client.post(url, {"member": team["second"].pk, "newcomer": team["outsider_inspector"].pk,
                                "reason": ""}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["未替换李四：请填写替换理由"]
    unchosen = client.post(url, {"member": team["second"].pk, "newcomer": "", "reason": "病假"}, follow=True)
    assert [str(m) for m in unchosen.context["messages"]] == ["接替的执法人员：该字段是必填项。"]
    assert not RecheckSubstitution.objects.exists()
    done = client.post(url, {"member": team["second"].pk, "newcomer": team["outsider_inspector"].pk,
                             "reason": "病假"}, follow=True)
    assert "已由 王五 接替 李四 复查" in done.content.decode()
    assert "王五 接替 李四（病假）" in done.content.decode()  # the page lists the replacement
    assert set(recheck.team.all()) == {team["first"], team["outsider_inspector"]}


def test_the_newcomer_must_be_eligible(recheck, users, team, tree):
    newcomer = team["outsider_inspector"]
    Recusal.objects.create(inspector=newcomer, target=recheck.target, reason="亲属任职")
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team)
    assert refused.value.message_dict["newcomer"] == [f"王五 须回避{recheck.target.name}（亲属任职）"]
    Recusal.objects.all().delete()
    Inspector.objects.filter(pk=newcomer.pk).update(certificate_expiry=datetime.date(2020, 1, 1),
                                                    status=InspectorStatus.ON_LEAVE, jurisdiction=tree["b"])
    newcomer.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team, newcomer=newcomer)
    assert refused.value.message_dict["newcomer"] == [
        "王五 不是在岗的执法人员",
        f"王五 的执法证在 {max(recheck.due_date, timezone.localdate())} 前到期或未登记有效期",
        f"王五 不属于{team['second'].jurisdiction.name}，应由被替换人员所在单位的执法人员接替"]
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team, newcomer=team["first"])
    assert refused.value.message_dict["newcomer"] == [f"{team['first'].name} 已是该复查任务的复查人员"]
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team, reason="  ")
    assert refused.value.message_dict == {"reason": ["请填写替换理由"]}
    assert not RecheckSubstitution.objects.exists()


def test_an_officer_outside_the_admins_scope_does_not_exist_for_him(recheck, users, team, tree):
    """The newcomer is looked up through the scoping gate: a county admin who posts the id of another county's
    officer gets a 404, not the service's refusal naming him, his post, his certificate and his recusals (an id
    was enough to read them). The city office, who sees both counties, is told why he may not replace."""
    stranger = team["outsider_inspector"]
    Inspector.objects.filter(pk=stranger.pk).update(jurisdiction=tree["b"], status=InspectorStatus.ON_LEAVE)
    Recusal.objects.create(inspector=stranger, target=recheck.target, reason="亲属任职")
    url = reverse("fieldwork:recheck_substitute", args=[recheck.pk])
    data = {"member": team["second"].pk, "newcomer": stranger.pk, "reason": "病假"}
    probed = signed_in(users["county_admin"]).post(url, data, follow=True)
    assert probed.status_code == 404
    assert "王五" not in probed.content.decode() and "亲属任职" not in probed.content.decode()
    told = signed_in(users["city_admin"]).post(url, data, follow=True)
    assert f"王五 不属于{team['second'].jurisdiction.name}" in told.content.decode()
    assert team["second"] in recheck.team.all() and not RecheckSubstitution.objects.exists()


def test_the_newcomers_certificate_must_hold_until_the_recheck_is_due(recheck, users, team):
    """A certificate valid today but expiring before the re-check's due day is refused, as the draw refuses it
    for a task's deadline; one valid on the due day is accepted."""
    newcomer = team["outsider_inspector"]
    due = max(recheck.due_date, timezone.localdate())
    Inspector.objects.filter(pk=newcomer.pk).update(certificate_expiry=due - datetime.timedelta(days=1))
    newcomer.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team, newcomer=newcomer)
    assert refused.value.message_dict["newcomer"] == [f"王五 的执法证在 {due} 前到期或未登记有效期"]
    Inspector.objects.filter(pk=newcomer.pk).update(certificate_expiry=due)
    newcomer.refresh_from_db()
    substitute(recheck, users, team, newcomer=newcomer)
    assert newcomer in recheck.team.all()


def test_refused_once_the_recheck_record_is_sealed(recheck, users, team):
    record = rechecked(recheck, users["inspector"])
    with pytest.raises(ValidationError) as refused:
        substitute(recheck, users, team)
    assert refused.value.messages == [f"复查任务{recheck.number}已完成（复查记录{record.number}已提交封存），"
                                      "不能再替换复查人员；记录有误的，请对复查记录申请更正"]


def test_the_former_officer_is_told_why(recheck, users, team):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    client = signed_in(team["partner"])
    before = client.get(reverse("fieldwork:task_changes"), {"rechecks": recheck.pk}, HTTP_ACCEPT="application/json")
    assert str(recheck.pk) in before.json()["rechecks"]
    substitute(recheck, users, team)
    answer = client.get(reverse("fieldwork:task_changes"), {"rechecks": recheck.pk}, HTTP_ACCEPT="application/json")
    assert answer.json()["rechecks"] == {} and answer.json()["rechecks_gone"] == {str(recheck.pk): "reassigned"}
    page = client.get(recheck.get_absolute_url())
    assert page.status_code == 403 and "您已不在复查任务" in page.content.decode() and "病假" in page.content.decode()
    form = client.get(reverse("fieldwork:record_edit", args=[draft.pk]))
    assert form.status_code == 403 and f"复查记录{draft.number}由现复查人员填写" in form.content.decode()
    # one never on it: not found, nothing told
    assert signed_in(users["other_county_admin"]).get(recheck.get_absolute_url()).status_code == 404
