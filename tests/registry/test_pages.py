"""Registry pages for every role: what each sees, what each may change, and what leaves a history."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.filters import MAX_OPTIONS
from shuangsuiji.registry.models import Category, CheckItem, Department, Inspector, Target, TargetHistory, TargetStatus
from tests.clients import signed_in


@pytest.fixture
def data(tree, users):
    a = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司",
                              jurisdiction=tree["a"])
    b = Target.objects.create(credit_code=complete("91130624000000002"), name="阜平乙建材有限公司",
                              jurisdiction=tree["b"])
    item = CheckItem.objects.create(code="C-1", name="排污许可执行", legal_basis="排污许可管理条例", content="查许可",
                                    jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    return {"a": a, "b": b, "item": item, "inspector": users["inspector"].inspector}


def test_anonymous_is_sent_to_login(data):
    response = Client().get("/registry/targets/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role, visible", [
    ("city_admin", {"涞水甲化工有限公司", "阜平乙建材有限公司"}),
    ("leader", {"涞水甲化工有限公司", "阜平乙建材有限公司"}),
    ("county_admin", {"涞水甲化工有限公司"}),
    ("department_user", {"涞水甲化工有限公司"}),
    ("inspector", {"涞水甲化工有限公司"}),
    ("other_county_admin", {"阜平乙建材有限公司"}),
])
def test_each_role_lists_exactly_its_scope(data, users, role, visible):
    content = signed_in(users[role]).get("/registry/targets/").content.decode()
    assert {name for name in ("涞水甲化工有限公司", "阜平乙建材有限公司") if name in content} == visible


def test_another_countys_objects_do_not_exist(data, users):
    client = signed_in(users["county_admin"])
    for url in (f"/registry/targets/{data['b'].pk}/", f"/registry/targets/{data['b'].pk}/edit/",
                f"/registry/targets/{data['b'].pk}/defunct/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["county_admin", "department_user", "inspector"])
def test_the_citys_department_page_lists_only_the_officers_the_reader_may_see(data, tree, users, role):
    """A county reads the city's departments (the city's item list names them), not the city's officers: the
    department's page listed them all, name, certificate number and status, although the inspector registry of
    the same reader has none of them and their pages do not exist for him."""
    city_officer = Inspector.objects.create(name="市局王五", certificate_number="13060000001",
                                            jurisdiction=tree["city"], department=tree["departments"]["130600"],
                                            certificate_expiry=datetime.date(2030, 1, 1))
    page = signed_in(users[role]).get(f"/registry/departments/{tree['departments']['130600'].pk}/")
    assert page.status_code == 200
    assert "市局王五" not in page.content.decode() and city_officer.certificate_number not in page.content.decode()
    own = signed_in(users[role]).get(f"/registry/departments/{tree['departments']['130623'].pk}/").content.decode()
    assert data["inspector"].name in own  # his own county's officers are listed as before
    assert "市局王五" in signed_in(users["city_admin"]).get(
        f"/registry/departments/{tree['departments']['130600'].pk}/").content.decode()


@pytest.mark.parametrize("role", ["leader", "department_user", "inspector"])
def test_read_only_roles_read_but_cannot_change(data, users, role):
    client = signed_in(users[role])
    detail = client.get(f"/registry/targets/{data['a'].pk}/")
    assert detail.status_code == 200 and "编辑" not in detail.content.decode().split("基本信息")[0]
    assert client.get(f"/registry/targets/{data['a'].pk}/edit/").status_code == 403
    assert client.get("/registry/targets/new/").status_code == 403
    response = client.post(f"/registry/targets/{data['a'].pk}/edit/", {"name": "改名"})
    assert response.status_code == 403
    assert Target.objects.get(pk=data["a"].pk).name == "涞水甲化工有限公司"


def edit_payload(target: Target, **changes) -> dict:
    payload = {"credit_code": target.credit_code, "name": target.name, "address": target.address,
               "jurisdiction": target.jurisdiction_id, "category": target.category, "industry_code": "",
               "industry_name": "", "longitude": "", "latitude": "", "legal_representative": "",
               "contact_name": "", "contact_phone": "", "permit_number": "", "reason": "", "effective_date": ""}
    payload.update(changes)
    if payload.pop("positive_list", False):
        payload["positive_list"] = "on"
    return payload


def test_category_change_needs_a_reason_and_then_leaves_history(data, users):
    client = signed_in(users["county_admin"])
    url = f"/registry/targets/{data['a'].pk}/edit/"
    refused = client.post(url, edit_payload(data["a"], category="key"))
    assert refused.status_code == 200 and "必须填写变更理由" in refused.content.decode()
    assert Target.objects.get(pk=data["a"].pk).category == Category.GENERAL
    # A change takes effect now: dated after today or before 1949 it is refused at the date.
    for day, says in (((timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "不能晚于今天"),
                      ("1900-01-01", "早于 1949-10-01")):
        dated = client.post(url, edit_payload(data["a"], category="key", reason="列入名录", effective_date=day))
        assert dated.status_code == 200 and says in dated.context["form"].errors["effective_date"][0], day
    assert not TargetHistory.objects.filter(target=data["a"], field="category").exists()
    saved = client.post(url, edit_payload(data["a"], category="key", reason="列入重点排污单位名录",
                                          effective_date="2021-03-01"))
    assert saved.status_code == 302
    history = TargetHistory.objects.get(target=data["a"], field="category")
    assert (history.new_value, history.reason, str(history.effective_date)) == ("key", "列入重点排污单位名录",
                                                                                  "2021-03-01")
    page = client.get(f"/registry/targets/{data['a'].pk}/").content.decode()
    assert "列入重点排污单位名录" in page and "重点排污单位" in page
    assert Event.objects.filter(action="target.update", actor=users["county_admin"]).exists()


def test_create_refuses_coordinates_outside_china_and_a_phone_that_is_not_one(data, users):
    target = Target(credit_code=complete("91130623000000009"), name="经纬度公司", jurisdiction=data["a"].jurisdiction)
    response = signed_in(users["county_admin"]).post("/registry/targets/new/", edit_payload(
        target, longitude="200", latitude="-95", contact_phone="not a phone"))
    assert response.status_code == 200 and not Target.objects.filter(name="经纬度公司").exists()
    errors = response.context["form"].errors
    assert errors["longitude"] == ["经度应在 73 到 136 之间（中国境内的东经度数）"]
    assert errors["latitude"] == ["纬度应在 3 到 54 之间（中国境内的北纬度数）"]
    assert "电话号码只能由数字" in errors["contact_phone"][0]


def test_create_refuses_an_industry_code_no_section_has_and_reads_a_lower_case_one(data, users):
    """"C99" passed the form's pattern, though no section has division 99: no item scoped to an industry could
    ever match it, so the target lost those items without a word."""
    client = signed_in(users["county_admin"])
    target = Target(credit_code=complete("91130623000000009"), name="行业代码公司", jurisdiction=data["a"].jurisdiction)
    for typed, message in (("C99", "没有 99 这个大类"), ("C06", "06 大类属于 B 门类")):
        response = client.post("/registry/targets/new/", edit_payload(target, industry_code=typed))
        assert response.status_code == 200 and message in response.context["form"].errors["industry_code"][0]
    assert not Target.objects.filter(name="行业代码公司").exists()
    response = client.post("/registry/targets/new/", edit_payload(target, industry_code="ｃ２６１４"))
    assert response.status_code == 302
    assert Target.objects.get(name="行业代码公司").industry_code == "C2614"


def test_create_rejects_a_wrong_credit_code_with_its_reason(data, users):
    code = complete("91130623000000009")
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    response = signed_in(users["county_admin"]).post("/registry/targets/new/", edit_payload(
        Target(credit_code=wrong, name="新企业", jurisdiction=data["a"].jurisdiction)))
    assert response.status_code == 200 and "第18位" in response.content.decode()
    assert not Target.objects.filter(name="新企业").exists()


def test_create_with_a_registered_code_names_the_target_where_the_user_may_see_it(data, users):
    county = signed_in(users["county_admin"])
    ours = county.post("/registry/targets/new/", edit_payload(
        Target(credit_code=data["a"].credit_code, name="重复企业", jurisdiction=data["a"].jurisdiction)))
    assert ours.status_code == 200 and ours.context["form"].errors["credit_code"] == [
        "该代码已登记为“涞水甲化工有限公司”（涞水县）：请在名录库中打开该对象修改，不要重复新增"]
    # Another county's target is not named: its page does not exist for him.
    theirs = county.post("/registry/targets/new/", edit_payload(
        Target(credit_code=data["b"].credit_code, name="重复企业", jurisdiction=data["a"].jurisdiction)))
    errors = theirs.context["form"].errors["credit_code"]
    assert errors == ["该代码已登记在其他行政区的名录库中；企业迁入本辖区的，请联系市局调整"]
    assert data["b"].name not in theirs.content.decode()
    assert Target.objects.filter(name="重复企业").count() == 0


def test_a_taken_certificate_number_or_item_code_says_whose_it_is_and_what_to_do(data, users, tree):
    """Django's own words were "具有 执法证号 的 检查人员 已存在": neither whose nor what next. The record is named
    where the user may open it; another county's is not (its page does not exist for him), and nothing is
    stored either way."""
    Inspector.objects.create(name="李四", certificate_number="13062400001", jurisdiction=tree["b"],
                             certificate_expiry=datetime.date(2030, 1, 1), department=tree["departments"]["130624"])
    county = signed_in(users["county_admin"])

    def new_officer(number: str):
        return county.post("/registry/inspectors/new/", {
            "name": "王五", "certificate_number": number, "certificate_expiry": "2030-01-01",
            "jurisdiction": tree["a"].pk, "department": tree["departments"]["130623"].pk, "status": "active",
            "is_double_random": "on", "reason": ""})

    ours = new_officer("13062300001")
    assert ours.context["form"].errors["certificate_number"] == [
        "该执法证号已登记为“张三”（涞水县）：请在检查人员名录库中打开该人员修改，不要重复新增"]
    theirs = new_officer("13062400001")
    assert theirs.context["form"].errors["certificate_number"] == [
        "该执法证号已登记在其他行政区的检查人员名录库中，不能在此新增或修改；人员调入本辖区的，请联系市局调整"]
    assert "李四" not in theirs.content.decode()
    assert not Inspector.objects.filter(name="王五").exists()
    # his own number, kept on an edit, is no clash
    officer = data["inspector"]
    edited = county.post(f"/registry/inspectors/{officer.pk}/edit/", {
        "name": "张三丰", "certificate_number": officer.certificate_number, "certificate_expiry": "2031-01-01",
        "jurisdiction": tree["a"].pk, "department": tree["departments"]["130623"].pk, "status": "active",
        "is_double_random": "on", "reason": "换发执法证"})
    assert edited.status_code == 302 and Inspector.objects.get(pk=officer.pk).name == "张三丰"

    item = county.post("/registry/items/new/", _item_post(
        tree, code="C-1", jurisdiction=tree["a"].pk, list_level="county",
        responsible_department=tree["departments"]["130623"].pk))
    assert item.context["form"].errors["code"] == [
        "该事项编码已用于“排污许可执行”（保定市）：请在随机抽查事项清单中打开该事项修改，或换用其他编码"]
    CheckItem.objects.create(code="B-1", name="阜平县事项", legal_basis="x", content="x", jurisdiction=tree["b"],
                             responsible_department=tree["departments"]["130624"])
    hidden = county.post("/registry/items/new/", _item_post(
        tree, code="B-1", jurisdiction=tree["a"].pk, list_level="county",
        responsible_department=tree["departments"]["130623"].pk))
    assert hidden.context["form"].errors["code"] == [
        "该事项编码已被其他行政区的抽查事项使用，请为本行政区的事项换用其他编码"]
    assert "阜平县事项" not in hidden.content.decode()
    assert CheckItem.objects.filter(code__in=["C-1", "B-1"]).count() == 2


def test_a_closure_after_today_is_refused_on_the_page(data, users):
    later = timezone.localdate() + datetime.timedelta(days=2)
    response = signed_in(users["county_admin"]).post(f"/registry/targets/{data['a'].pk}/defunct/",
                                                 {"defunct_date": later.isoformat(), "reason": "计划关停"},
                                                 follow=True)
    assert Target.objects.get(pk=data["a"].pk).status == TargetStatus.ACTIVE
    assert response.context["form"].errors["defunct_date"][0].startswith("不能晚于今天")
    # The service refuses it too, for every other path (a script, the admin).
    from django.core.exceptions import ValidationError

    from shuangsuiji.registry.services import do_mark_target_defunct
    with pytest.raises(ValidationError, match="注销/关停日期不能晚于今天"):
        do_mark_target_defunct(data["a"], acting_user=users["county_admin"], defunct_date=later, reason="计划关停")


def test_county_admin_cannot_create_in_another_county(data, users, tree):
    payload = edit_payload(Target(credit_code=complete("91130624000000010"), name="越界企业", jurisdiction=tree["b"]))
    response = signed_in(users["county_admin"]).post("/registry/targets/new/", payload)
    assert response.status_code == 200 and "jurisdiction" in response.context["form"].errors
    assert not Target.objects.filter(name="越界企业").exists()


def test_defunct_keeps_the_target_with_date_and_reason(data, users):
    client = signed_in(users["county_admin"])
    response = client.post(f"/registry/targets/{data['a'].pk}/defunct/",
                           {"defunct_date": "2021-06-30", "reason": "企业注销"})
    assert response.status_code == 302
    target = Target.objects.get(pk=data["a"].pk)
    assert target.status == TargetStatus.DEFUNCT and target.defunct_reason == "企业注销"
    assert "已注销/关停" in client.get("/registry/targets/?status=defunct").content.decode()


def test_list_filters_and_search(data, users):
    client = signed_in(users["city_admin"])
    by_code = client.get("/registry/targets/", {"q": data["b"].credit_code}).content.decode()
    assert "阜平乙建材有限公司" in by_code and "涞水甲化工有限公司" not in by_code
    by_county = client.get("/registry/targets/", {"jurisdiction": data["a"].jurisdiction_id}).content.decode()
    assert "涞水甲化工有限公司" in by_county and "阜平乙建材有限公司" not in by_county


def test_inspector_page_and_recusal(data, users):
    client = signed_in(users["county_admin"])
    inspector = data["inspector"]
    response = client.post(f"/registry/inspectors/{inspector.pk}/recusals/",
                           {"credit_code": data["a"].credit_code, "reason": "亲属任职"})
    assert response.status_code == 302
    assert list(Inspector.objects.get(pk=inspector.pk).recusals.all()) == [data["a"]]
    assert "亲属任职" in client.get(f"/registry/inspectors/{inspector.pk}/").content.decode()
    outside = client.post(f"/registry/inspectors/{inspector.pk}/recusals/",
                          {"credit_code": data["b"].credit_code, "reason": "x"})
    assert outside.status_code == 302 and Inspector.objects.get(pk=inspector.pk).recusals.count() == 1



def test_removing_a_recusal_by_a_bad_id_is_a_404(data, users):
    """A posted remove=<not a number> was a server error; it is no such recusal."""
    client = signed_in(users["county_admin"])
    url = f"/registry/inspectors/{data['inspector'].pk}/recusals/"
    assert client.post(url, {"remove": "abc", "reason": "x"}).status_code == 404
    assert client.post(url, {"remove": "999999", "reason": "x"}).status_code == 404
    assert client.post(url, {"remove": "²", "reason": "x"}).status_code == 404  # "²".isdigit(): was a 500


def test_a_posted_choice_that_is_not_an_id_is_a_form_error(data, users, tree):
    """The department choices are narrowed to the posted jurisdiction: a posted "²" or "abc" (not an id) was a
    server error there, before the field's own validation could say so."""
    client = signed_in(users["city_admin"])
    Department.objects.bulk_create(Department(jurisdiction=tree["a"], name=f"科室{n}") for n in range(MAX_OPTIONS))
    for value in ("²", "abc", "99999999999999999999"):
        response = client.post("/registry/inspectors/new/", {
            "name": "李四", "certificate_number": "13062300009", "certificate_expiry": "2030-01-01",
            "jurisdiction": value, "department": value, "status": "active", "reason": "新增"})
        assert response.status_code == 200, value
        assert "jurisdiction" in response.context["form"].errors
        response = client.post("/registry/items/new/", {"code": "C-2", "name": "x", "jurisdiction": value,
                                                         "responsible_department": value,
                                                         "cooperating_departments": [value, "1"]})
        assert response.status_code == 200, value
    assert client.get("/registry/dynamic/", {"jurisdiction": "abc"}).status_code == 404  # was a 500

def _item_post(tree, **changes) -> dict:
    post = {"code": "C-9", "name": "危险废物规范化管理", "legal_basis": "固体废物污染环境防治法", "content": "查台账",
            "jurisdiction": tree["city"].pk, "list_level": "city",
            "responsible_department": tree["departments"]["130600"].pk, "applies_general": "on",
            "check_method": "现场检查", "is_active": "on", "reason": "新增"}
    return post | changes


def test_a_city_item_takes_only_departments_of_the_city_or_above(data, users, tree):
    """The import's rule on the page too: a county's department responsible for (or cooperating on) a city item
    is refused with the department named, and nothing is stored; the form offers the city's departments first,
    then the province's, and none of the counties'."""
    province = Department.objects.create(jurisdiction=tree["province"], name="固体废物及化学品处")
    county = tree["departments"]["130623"]
    client = signed_in(users["city_admin"])
    page = client.get("/registry/items/new/")
    assert page.context["form"]["jurisdiction"].value() == tree["city"].pk  # the admin's own list, preset
    offered = [label for value, label in page.context["form"].fields["responsible_department"].widget.choices
               if value]
    assert offered == ["保定市·综合执法支队", "河北省·固体废物及化学品处"]
    cooperating = [label for _value, label in page.context["form"].fields["cooperating_departments"].widget.choices]
    assert "涞水县·执法大队" not in cooperating and cooperating[0] == "保定市·综合执法支队"

    response = client.post("/registry/items/new/", _item_post(tree, responsible_department=county.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["responsible_department"] == [
        "应为保定市或其上级行政区的科室，以下不是：涞水县·执法大队"]
    response = client.post("/registry/items/new/", _item_post(tree, cooperating_departments=[county.pk, province.pk]))
    assert response.context["form"].errors["cooperating_departments"] == [
        "应为保定市或其上级行政区的科室，以下不是：涞水县·执法大队"]
    assert not CheckItem.objects.filter(code="C-9").exists()

    response = client.post("/registry/items/new/", _item_post(tree, cooperating_departments=[province.pk]))
    assert response.status_code == 302
    item = CheckItem.objects.get(code="C-9")
    assert list(item.cooperating_departments.all()) == [province]


def test_a_county_item_takes_the_county_city_and_province_departments(data, users, tree):
    client = signed_in(users["county_admin"])
    form = client.get("/registry/items/new/").context["form"]
    assert (form["jurisdiction"].value(), form["list_level"].value()) == (tree["a"].pk, "county")
    post = _item_post(tree, jurisdiction=tree["a"].pk, list_level="county",
                      responsible_department=tree["departments"]["130623"].pk,
                      cooperating_departments=[tree["departments"]["130600"].pk])
    assert client.post("/registry/items/new/", post).status_code == 302
    post = _item_post(tree, code="C-10", jurisdiction=tree["a"].pk, list_level="county",
                      responsible_department=tree["departments"]["130624"].pk)
    response = client.post("/registry/items/new/", post)
    # the other county's department is outside this admin's scope: the choice itself is refused
    assert "responsible_department" in response.context["form"].errors
    assert not CheckItem.objects.filter(code="C-10").exists()


def test_county_sees_the_city_item_list_read_only(data, users):
    client = signed_in(users["county_admin"])
    assert "排污许可执行" in client.get("/registry/items/").content.decode()
    assert client.get(f"/registry/items/{data['item'].pk}/edit/").status_code == 403


def test_interface_is_chinese_by_default_and_english_on_request(data, users):
    client = signed_in(users["county_admin"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US"
    assert client.get("/registry/targets/")["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/registry/targets/"})
    english = client.get("/registry/targets/")
    assert english["Content-Language"] == "en"
    assert "Target registry" in english.content.decode() and "Sign out" in english.content.decode()


def test_a_readers_english_does_not_outlive_his_request(data, users):
    from django.utils import translation

    client = signed_in(users["county_admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/registry/targets/"})
    client.get("/registry/targets/")
    assert translation.get_language() == "zh-hans"


def test_a_defunct_mark_made_in_error_is_undone_with_date_and_reason(data, users):
    client = signed_in(users["county_admin"])
    url = f"/registry/targets/{data['a'].pk}/"
    assert "/reactivate/" not in client.get(url).content.decode()  # only a defunct target offers it
    refused = client.post(f"{url}reactivate/", {"effective_date": "2021-07-01", "reason": "误标"})
    assert refused.status_code == 200 and "无需恢复" in refused.content.decode()
    client.post(f"{url}defunct/", {"defunct_date": "2021-06-30", "reason": "企业注销"})
    assert "/reactivate/" in client.get(url).content.decode()
    missing = client.post(f"{url}reactivate/", {"effective_date": "2021-07-01", "reason": ""})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    assert client.post(f"{url}reactivate/", {"effective_date": "2021-07-01", "reason": "误标注销"}).status_code == 302
    target = Target.objects.get(pk=data["a"].pk)
    assert target.is_active and target.defunct_date is None
    assert TargetHistory.objects.filter(target=target, field="status", new_value="active", reason="误标注销").exists()
    assert signed_in(users["leader"]).get(f"{url}reactivate/").status_code == 403


def test_a_long_list_counts_up_to_the_cap_and_pages_on(data, users, tree, monkeypatch):
    from shuangsuiji.registry import views

    Target.objects.bulk_create(Target(credit_code=complete(f"9113062300000{n:04d}"), name=f"批量企业{n:04d}",
                                      jurisdiction=tree["a"]) for n in range(100, 230))
    client = signed_in(users["county_admin"])
    exact = client.get("/registry/targets/").content.decode()
    assert "共 131 条" in exact and "第 1 / 3 页" in exact
    monkeypatch.setattr(views.CappedPaginator, "limit", 60)
    first = client.get("/registry/targets/").content.decode()
    assert "超过 60 条" in first and "第 1 页" in first and "page=2" in first
    last = client.get("/registry/targets/", {"page": 2})
    assert len(last.context["rows"]) == 10 and "page=3" not in last.content.decode()


def test_filters_offer_a_drill_down_of_the_scope(data, users, tree):
    form = signed_in(users["city_admin"]).get("/registry/targets/").context["filter_form"]
    offered = [label for value, label in form.fields["jurisdiction"].widget.choices if value]
    assert [label.strip("\u3000") for label in offered] == ["河北省", "保定市", "涞水县", "阜平县"]
    county = signed_in(users["city_admin"]).get("/registry/inspectors/", {"jurisdiction": tree["a"].pk})
    departments = [label for value, label in county.context["filter_form"].fields["department"].widget.choices
                   if value]
    assert departments and all(label.startswith("涞水县") for label in departments)


def test_search_by_the_start_of_a_credit_code(data, users):
    content = signed_in(users["city_admin"]).get("/registry/targets/", {"q": data["a"].credit_code[:10]}).content
    assert "涞水甲化工有限公司" in content.decode() and "阜平乙建材有限公司" not in content.decode()


def test_the_industry_filter_finds_codes_with_and_without_their_section_letter(tree, users):
    """The registry keeps C2614 and 2614 alike (both are GB/T 4754 codes): 26, C26 and a full-width Ｃ２６ find both;
    C1 does not reach mining's 10–12."""
    rows = {code: Target.objects.create(credit_code=complete(f"9113062300000{n:04d}"), name=f"行业{code}",
                                        jurisdiction=tree["a"], industry_code=code)
            for n, code in enumerate(("C2614", "2614", "C1310", "1011", "D4411"), start=1)}
    client = signed_in(users["city_admin"])

    def found(typed: str) -> set[str]:
        response = client.get("/registry/targets/", {"industry": typed})
        assert response.status_code == 200
        return {code for code, target in rows.items() if target.name in response.content.decode()}

    assert found("26") == found("C26") == found("Ｃ２６") == found("c26") == {"C2614", "2614"}
    assert found("C1") == {"C1310"}
    assert found("4") == {"D4411"}
    assert found("C2614") == {"C2614", "2614"}


def test_an_items_check_method_is_said_in_the_readers_language_and_a_typed_one_as_typed(tree, users):
    """The default 现场检查 is the record's mode, which the portal already says in English; the staff page showed
    it in Chinese on English pages. A method someone typed is theirs, shown as typed."""
    default = CheckItem.objects.create(code="C-01", name="排污许可执行", legal_basis="条例", content="查许可",
                                       jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    typed = CheckItem.objects.create(code="C-02", name="台账", legal_basis="条例", content="查台账",
                                     check_method="书面核查", jurisdiction=tree["city"],
                                     responsible_department=tree["departments"]["130600"])

    def method(item: CheckItem, language: str) -> str:
        fields = dict(signed_in(users["county_admin"], language).get(f"/registry/items/{item.pk}/").context["fields"])
        return str(next(value for label, value in fields.items() if str(label) in ("检查方式", "Method")))

    assert method(default, "zh-hans") == "现场检查" and method(default, "en") == "On-site inspection"
    assert method(typed, "en") == "书面核查"


def test_an_unreadable_certificate_expiry_is_said_once_and_a_missing_one_is_asked_for(tree, users):
    county = signed_in(users["county_admin"])

    def new_officer(expiry: str):
        return county.post("/registry/inspectors/new/", {
            "name": "王五", "certificate_number": "13062300077", "certificate_expiry": expiry,
            "jurisdiction": tree["a"].pk, "department": tree["departments"]["130623"].pk, "status": "active",
            "is_double_random": "on", "reason": ""})

    typed = new_officer("2030-02-30")
    assert typed.context["form"].errors["certificate_expiry"] == ["输入一个有效的日期。"]  # not also "须填写"
    assert 'value="2030-02-30"' in typed.content.decode()
    assert new_officer("").context["form"].errors["certificate_expiry"] == ["执法人员须填写执法证有效期"]
    assert not Inspector.objects.filter(name="王五").exists()


def test_each_word_of_the_search_narrows_the_targets(data, users):
    # AND across words, each against the name and address (or a credit code, exact or its start), in any order
    client = signed_in(users["city_admin"])

    def listed(typed: str) -> bool:
        return "涞水甲化工有限公司" in client.get("/registry/targets/", {"q": typed}).content.decode()

    code = data["a"].credit_code
    assert listed("化工 涞水") and listed(f"{code} 化工") and listed(f"化工 {code[:10]}")
    assert not listed("化工 建材") and not listed(f"{data['b'].credit_code} 化工")
    assert "阜平乙建材有限公司" not in client.get("/registry/targets/", {"q": "化工 涞水"}).content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dates_read_as_the_rest_of_the_system_writes_them(data, tree, users, language):
    """The registry's lists and pages wrote dates in the locale's words — "Jan. 1, 2030", "Dec. 4, 2026, 10:20 p.m."
    in English, which wrapped in the narrow columns of the target's changes — beside the ISO dates of the change
    history on the same page. They read 2030-01-01 and 2026-12-04 22:20 now, in either language."""
    officer = data["inspector"]
    Inspector.objects.filter(pk=officer.pk).update(certificate_expiry=datetime.date(2030, 1, 1))
    TargetHistory.objects.create(target=data["a"], field="status", old_value="", new_value=TargetStatus.ACTIVE,
                                 effective_date=datetime.date(2026, 4, 1), reason="初始登记")
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = language
    listed = client.get("/registry/inspectors/").content.decode()
    shown = client.get(f"/registry/inspectors/{officer.pk}/").content.decode()
    target = client.get(f"/registry/targets/{data['a'].pk}/").content.decode()
    assert "2030-01-01" in listed and "2030-01-01" in shown and "2026-04-01" in target
    created = timezone.localtime(data["a"].created_at).strftime("%Y-%m-%d %H:%M")
    assert created in target
    for page in (listed, shown, target):
        assert "Jan. 1, 2030" not in page and "2030年1月1日" not in page and "April 1, 2026" not in page
