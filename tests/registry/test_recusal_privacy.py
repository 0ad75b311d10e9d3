"""Why an officer recuses himself from a firm (his wife is its shareholder, he worked there) is his private
matter, like his phone number: those who keep his registry read it, and he himself; a leader, a department user
or a colleague sees that the recusal exists, never its reason — on his page, in its change history, on the
firm's page and in the recusals' export."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Inspector, Target
from shuangsuiji.registry.services import do_remove_recusal, do_set_recusal
from tests.clients import signed_in

REASON = "配偶为该单位股东"
UPDATED = "配偶曾为该单位股东"
LIFTED = "配偶已转让股份"


@pytest.fixture
def data(tree, users):
    target = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司",
                                   jurisdiction=tree["a"])
    other = Target.objects.create(credit_code=complete("91130623000000002"), name="涞水乙建材有限公司",
                                  jurisdiction=tree["a"])
    own = users["inspector"].inspector
    colleague = Inspector.objects.create(name="李四", certificate_number="13062300002", jurisdiction=tree["a"],
                                         department=tree["departments"]["130623"],
                                         certificate_expiry=datetime.date(2030, 1, 1))
    admin = users["county_admin"]
    do_set_recusal(colleague, target, acting_user=admin, reason=REASON)
    do_set_recusal(colleague, target, acting_user=admin, reason=UPDATED)
    do_set_recusal(colleague, other, acting_user=admin, reason="曾在该单位任职")
    do_remove_recusal(colleague.recusal_entries.get(target=other), acting_user=admin, reason=LIFTED)
    do_set_recusal(own, other, acting_user=admin, reason="本人亲属任职")
    return {"target": target, "other": other, "colleague": colleague, "own": own}


@pytest.mark.parametrize("role, reads", [
    ("county_admin", True), ("city_admin", True),
    ("leader", False), ("department_user", False), ("inspector", False),
])
def test_the_officers_page_and_history_show_the_reason_only_to_his_registry_keepers(data, users, role, reads):
    page = signed_in(users[role]).get(f"/registry/inspectors/{data['colleague'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert data["target"].credit_code in text  # the recusal itself is no secret: the draw keeps him away
    for reason in (UPDATED, REASON, LIFTED):  # the card, the change history's reasons and its before → after
        assert (reason in text) is reads, (role, reason)
    assert ("（不向您显示）" in text) is not reads


def test_the_officer_reads_his_own_reasons(data, users):
    text = signed_in(users["inspector"]).get(f"/registry/inspectors/{data['own'].pk}/").content.decode()
    assert "本人亲属任职" in text and "（不向您显示）" not in text


@pytest.mark.parametrize("role, reads", [
    ("county_admin", True), ("leader", False), ("department_user", False), ("inspector", False),
])
def test_the_firms_page_names_the_recused_officers_and_gives_the_reason_only_to_keepers(data, users, role, reads):
    text = signed_in(users[role]).get(f"/registry/targets/{data['target'].pk}/").content.decode()
    assert "李四" in text
    assert (UPDATED in text) is reads
    assert ("（不向您显示）" in text) is not reads


def test_the_firms_page_gives_an_officer_his_own_reason_and_not_his_colleagues(data, users):
    do_set_recusal(data["colleague"], data["other"], acting_user=users["county_admin"], reason="李四的理由")
    text = signed_in(users["inspector"]).get(f"/registry/targets/{data['other'].pk}/").content.decode()
    assert "本人亲属任职" in text and "李四的理由" not in text


@pytest.mark.parametrize("role, reasons", [
    ("county_admin", {"张三": "本人亲属任职", "李四": UPDATED}),
    ("inspector", {"张三": "本人亲属任职", "李四": None}),
    ("department_user", {"张三": None, "李四": None}),
    ("leader", {"张三": None, "李四": None}),
])
def test_the_recusals_export_gives_each_reader_the_reasons_he_may_read(data, users, role, reasons):
    response = signed_in(users[role]).get("/registry/recusals/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0][:4] == ("执法证号", "统一社会信用代码", "回避理由", "执法人员姓名")
    assert {row[3]: row[2] for row in rows[1:]} == reasons


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "leader", "department_user", "inspector"])
def test_the_history_names_the_firm_beside_its_code_as_other_histories_do(data, users, role):
    """A recusal's events store the firm's credit code; the officer's history and the 审计日志 say it "code（name）"
    for a reader who may read the firm, as a clue or cross-department plan's history does (``Key.coded``). The lifted
    recusal is on the page only in its history: a bare code there named no firm."""
    lifted = f"{data['other'].credit_code}（{data['other'].name}）"
    text = signed_in(users[role]).get(f"/registry/inspectors/{data['colleague'].pk}/").content.decode()
    assert lifted in text and f"{data['target'].credit_code}（{data['target'].name}）" in text
    if users[role].reads_audit_log:
        assert lifted in signed_in(users[role]).get("/audit/").content.decode()
