"""Two people act on the same publication batch at the same moment: one reviewer returns it while another
approves it, two admins discard it, two release it; two lift the same redaction rule. The second waits for the
first and is told what happened (in words, not a server error), and the history is written once."""

import pytest
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Objection, ObjectionStatus, Publication, PublicationStatus, PublishedResult
from tests.clients import signed_in
from tests.concurrency import collide, require_postgres
from tests.disclosure.test_services import another_task, month_of, reviewed
from tests.fieldwork.conftest import items, team  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def batch(tree, items, team, users):  # noqa: F811
    record = reviewed(another_task(tree, items, team, 71), users)
    year, month = month_of(record)
    return services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month,
                                       acting_user=users["county_admin"])


@pytest.mark.postgres_only
def test_a_reviewer_approves_a_batch_another_returns_at_that_moment(batch, users):
    """The return deletes the batch; the approval waiting for it found no row and answered 500. Now the second
    reviewer lands on the overview, told who returned it and when."""
    require_postgres()
    leader = signed_in(users["leader"])
    first, second = collide(
        lambda: services.do_return(batch, reason="第3行企业名称有误", acting_user=users["city_admin"]),
        lambda: leader.post(reverse("disclosure:review", args=[batch.pk]), {"note": "同意公开"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    response = second.value
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("disclosure:overview")
    page = response.content.decode()
    assert "已由city_admin于" in page and "退回" in page, page
    assert not Publication.objects.filter(pk=batch.pk).exists()
    assert not Event.objects.filter(action="disclosure.review").exists()


@pytest.mark.postgres_only
def test_two_admins_discard_the_same_batch_at_once(batch, users):
    require_postgres()
    first, second = collide(
        lambda: services.do_discard(batch, reason="重新生成", acting_user=users["county_admin"]),
        lambda: services.do_discard(Publication.objects.get(pk=batch.pk), reason="月份错了",
                                    acting_user=users["city_admin"]))
    assert first.error is None
    assert "已由county_admin于" in second.refused and "撤销" in second.refused, second.error
    assert Event.objects.filter(action="disclosure.discard").count() == 1


@pytest.mark.postgres_only
def test_two_admins_release_the_same_batch_at_once(batch, users):
    require_postgres()
    services.do_review(batch, acting_user=users["leader"])
    city = signed_in(users["city_admin"])
    first, second = collide(
        lambda: services.do_release(batch, acting_user=users["county_admin"]),
        lambda: city.post(reverse("disclosure:release", args=[batch.pk]), follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    page = second.value.content.decode()
    assert "该批次已由county_admin于" in page and "公开" in page
    assert Publication.objects.get(pk=batch.pk).status == PublicationStatus.RELEASED
    assert Event.objects.filter(action="disclosure.release").count() == 1


@pytest.mark.postgres_only
def test_two_reviewers_approve_the_same_batch_at_once(batch, users):
    require_postgres()
    first, second = collide(
        lambda: services.do_review(batch, acting_user=users["leader"]),
        lambda: services.do_review(Publication.objects.get(pk=batch.pk), acting_user=users["city_admin"]))
    assert first.error is None
    assert "该批次已由leader于" in second.refused and "审核" in second.refused, second.error
    assert Event.objects.filter(action="disclosure.review").count() == 1


@pytest.mark.postgres_only
def test_two_admins_lift_the_same_redaction_rule_at_once(tree, users):
    """The second was stored as a second "active → inactive" event; now it is told who lifted the rule and when."""
    require_postgres()
    rule = services.do_add_redaction_rule(jurisdiction=tree["a"], action="mask", basis="commercial",
                                          fields=["industry"], reason="工艺涉密", industry_prefix="99",
                                          acting_user=users["county_admin"])
    city = signed_in(users["city_admin"])
    first, second = collide(
        lambda: services.do_deactivate_redaction_rule(rule, reason="已解密", acting_user=users["county_admin"]),
        lambda: city.post(reverse("disclosure:rule_deactivate", args=[rule.pk]), {"reason": "不再需要"},
                          follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert "该规则已由county_admin于" in second.value.content.decode()
    assert Event.objects.filter(action="disclosure.redaction_rule_off").count() == 1


def test_a_batch_returned_before_the_second_reviewer_presses(batch, users):
    """Not at the same moment but from a page loaded before the return (both databases): the overview, told who
    returned it and why, not "page not found"; someone outside the county still gets not found."""
    services.do_return(batch, reason="第3行企业名称有误", acting_user=users["city_admin"])
    response = signed_in(users["leader"]).post(reverse("disclosure:review", args=[batch.pk]), {"note": "同意"},
                                                follow=True)
    assert response.redirect_chain[-1][0] == reverse("disclosure:overview")
    assert "已由city_admin于" in response.content.decode() and "第3行企业名称有误" in response.content.decode()
    outsider = signed_in(users["other_county_admin"]).post(reverse("disclosure:release", args=[batch.pk]))
    assert outsider.status_code == 404


@pytest.mark.postgres_only
def test_two_admins_withhold_the_same_record_at_once(tree, items, team, users):  # noqa: F811
    """Two cases, two events and two corrections once published; now one, and the second admin is told who."""
    require_postgres()
    record = reviewed(another_task(tree, items, team, 72), users)
    city = signed_in(users["city_admin"])
    first, second = collide(
        lambda: services.do_decide_redaction(record, action="withhold", basis="law", reason="涉及正在办理的案件",
                                             acting_user=users["county_admin"]),
        lambda: city.post(reverse("disclosure:case_add"), {
            "record_number": record.number, "action": "withhold", "basis": "law", "reason": "案件办理中"}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.status_code == 400
    assert "已由county_admin于" in second.value.content.decode()
    assert record.redaction_cases.count() == 1
    assert Event.objects.filter(action="disclosure.redaction_case").count() == 1


@pytest.fixture
def published_result(tree, items, team, users):  # noqa: F811
    from tests.disclosure.test_services import publish

    record = reviewed(another_task(tree, items, team, 72, name="涞水异议厂"), users)
    publish(record, users)
    return PublishedResult.objects.published().get(record=record)


OBJECTION = {"organisation": "涞水异议厂", "contact_name": "钱经理", "contact_phone": "0312-4500001",
             "content": "检查日期有误。"}


@pytest.mark.postgres_only
def test_a_double_tap_on_the_objection_form_lodges_one_objection(published_result):
    """Two submissions of the same objection at the same moment: the result's row queues the second, which sees
    the first and is refused in words; one objection, one audit event."""
    require_postgres()

    def lodge():
        return services.do_receive_objection(published_result, credit_code=published_result.credit_code,
                                             address="10.0.0.1", **OBJECTION)

    first, second = collide(lodge, lodge)
    assert first.error is None, first.error
    assert "尚未答复的异议" in second.refused
    assert Objection.objects.count() == 1 == Event.objects.filter(action="disclosure.objection_receive").count()


@pytest.mark.postgres_only
def test_two_admins_answering_one_objection_give_one_answer(published_result, users):
    require_postgres()
    objection = services.do_receive_objection(published_result, credit_code=published_result.credit_code,
                                              address="10.0.0.1", **OBJECTION)
    first, second = collide(
        lambda: services.do_answer_objection(objection, accepted=False, reply="日期无误。",
                                             acting_user=users["county_admin"]),
        lambda: services.do_answer_objection(objection, accepted=True, reply="已更正。",
                                             acting_user=users["city_admin"]))
    assert first.error is None, first.error
    assert "不能再次答复" in second.refused and "county_admin" in second.refused
    objection.refresh_from_db()
    assert (objection.status, objection.reply) == (ObjectionStatus.REJECTED, "日期无误。")
    assert Event.objects.filter(action="disclosure.objection_answer").count() == 1
