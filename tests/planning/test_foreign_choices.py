"""An item or department posted from outside what a planning form offers (another department's item, another
jurisdiction's department: a crafted POST, or a page left open while the lists changed) is refused in words
naming the field and why. Django's "选择一个有效的选项。 17 不在可用的选项中。" showed the database id, which tells the
user nothing and an outsider which ids exist."""

import pytest
from django.urls import reverse

from shuangsuiji.planning.models import Plan, PlanKind
from shuangsuiji.registry.models import CheckItem, Department
from tests.clients import signed_in

from .test_joint_corrections import contents, joint_plan, post_contents

pytestmark = pytest.mark.django_db

FOREIGN_ID = 987654
"""The id given to a department or item the form does not offer: a number no page shows otherwise."""


@pytest.fixture
def foreign(city):
    """A department of county B and another department's item of county A, each with an id no page shows."""
    b_department = Department.objects.create(pk=FOREIGN_ID, jurisdiction=city["tree"]["b"], name="阜平县大气股")
    item = CheckItem.objects.create(pk=FOREIGN_ID + 1, code="A-77", name="他科室事项", legal_basis="环境保护法",
                                    content="—", jurisdiction=city["tree"]["a"],
                                    responsible_department=city["departments"]["air_a"])
    return {"department": b_department, "item": item}


def errors_of(form) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


def test_a_foreign_department_or_item_posted_to_the_correction_is_refused_in_words(city, foreign):
    plan = joint_plan(city)
    client = signed_in(city["users"]["department_user"])
    own, air = city["departments"]["enforcement_a"], city["departments"]["air_a"]
    response = post_contents(client, plan, [city["items"]["risk"], foreign["item"]], [own, air, foreign["department"]])
    assert response.status_code == 400
    form = response.context["joint_form"]
    assert form.errors["check_items"] == [
        "抽查事项：所选的有不能选的事项。只能选涞水县适用的抽查事项清单中的事项，其中涞水县本级清单的事项只能选"
        "发起科室（执法大队）负责的；请按页面列出的事项重新勾选"]
    assert form.errors["departments"] == [
        "参加科室：所选的有不能选的科室。只能选涞水县具有执法职能的科室；请按页面列出的科室重新勾选"]
    text = response.content.decode()
    assert str(FOREIGN_ID) not in text and str(FOREIGN_ID + 1) not in text
    assert not any("不在可用的选项中" in message for message in errors_of(form))
    assert contents(plan) == ({"A-01"}, {"执法大队", "大气环境股"})
    # and in English, said in English
    english = signed_in(city["users"]["department_user"], language="en")
    response = post_contents(english, plan, [city["items"]["risk"]], [own, air, foreign["department"]])
    assert response.context["joint_form"].errors["departments"] == [
        "Participating departments: some of the departments chosen cannot be chosen. Only departments of 涞水县 with "
        "enforcement duties may take part; tick again from the departments listed on the page"]
    assert str(FOREIGN_ID) not in response.content.decode()


def test_a_foreign_department_or_item_posted_to_the_plan_form_is_refused_in_words(city, foreign):
    from django.utils import timezone

    from shuangsuiji.engine.workdays import quarter_of

    today = timezone.localdate()
    client = signed_in(city["users"]["department_user"])
    response = client.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["a"].pk, "year": today.year, "quarter": quarter_of(today),
        "kind": PlanKind.JOINT, "department": FOREIGN_ID, "check_items": [foreign["item"].pk],
        "departments": [city["departments"]["enforcement_a"].pk, FOREIGN_ID]})
    assert response.status_code == 200 and not Plan.objects.exists()
    form = response.context["form"]
    assert form.errors["department"] == ["发起科室：科室用户只能以本科室（执法大队）发起联合抽查"]
    assert form.errors["check_items"][0].startswith("抽查事项：所选的有不能选的事项。只能选涞水县适用的")
    assert "涞水县本级清单的事项只能选本科室（执法大队）负责的" in form.errors["check_items"][0]
    assert form.errors["departments"][0].startswith("参加科室：所选的有不能选的科室。只能选涞水县具有执法职能的科室")
    text = response.content.decode()
    assert str(FOREIGN_ID) not in text and str(FOREIGN_ID + 1) not in text
    # an admin is told his own area's choices
    admin = signed_in(city["users"]["county_admin"])
    response = admin.post(reverse("planning:plan_create"), {
        "jurisdiction": city["tree"]["b"].pk, "year": today.year, "quarter": quarter_of(today),
        "kind": PlanKind.JOINT, "department": FOREIGN_ID, "departments": [FOREIGN_ID]})
    form = response.context["form"]
    assert form.errors["jurisdiction"] == ["行政区：只能选本辖区的市、县级行政区"]
    assert form.errors["department"] == ["发起科室：只能选本辖区具有执法职能的科室"]
    assert form.errors["departments"][0].startswith("参加科室：所选的有不能选的科室。只能选本辖区具有执法职能的科室")
    assert str(FOREIGN_ID) not in response.content.decode()


def test_any_multiple_choice_refuses_a_foreign_id_naming_its_field_not_the_id(city, foreign):
    """The shared field (params.ModelMultipleChoiceField) of every form without a message of its own."""
    from django import forms

    from shuangsuiji import params

    class Form(forms.Form):
        departments = params.ModelMultipleChoiceField(Department.objects.exclude(pk=FOREIGN_ID), label="参加科室")

    form = Form({"departments": [city["departments"]["air_a"].pk, FOREIGN_ID]})
    assert not form.is_valid()
    assert form.errors["departments"] == [
        "参加科室：所选的有不在可选范围内的（已停用、已删除，或不属于您可以选择的范围），请按页面列出的选项重新选择"]
