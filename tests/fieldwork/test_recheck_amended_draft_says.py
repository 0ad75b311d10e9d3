"""An amendment of the source record approved while the re-check's draft is open rewrites the draft's rows
(``services._sync_recheck_drafts``, ``_join_recheck``). Drilled on the phone: the rows changed under the officers
with nothing saying why, a row vanished without a word, and the re-check's page listed the order the amendment
dropped as 已办结 — read as rectified. The form now says which amendment adjusted the rows, when, and which items
left; the re-check's page names the amendment and says the dropped order was closed by it."""


import pytest
from django.urls import reverse

from shuangsuiji.fieldwork import services
from tests.clients import signed_in

from .conftest import NO_PROBLEM, amended
from .test_recheck_amended_orders import kept, order

pytestmark = pytest.mark.django_db


def form(record, user, language="zh-hans") -> str:
    return signed_in(user, language).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()


def test_the_form_says_the_amendment_rewrote_the_rows(source, recheck, users):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    assert 'id="recheck-rows-adjusted"' not in form(draft, users["inspector"])  # nothing amended, nothing said
    assert 'id="source-amended"' not in signed_in(users["inspector"]).get(recheck.get_absolute_url()).content.decode()
    amendment = amended(source, users, order("布袋除尘器3号仓布袋破损", days=12), NO_PROBLEM)
    page = form(draft, users["inspector"])
    assert f"原检查记录已由更正记录 {amendment.number} 更正" in page
    assert 'id="recheck-rows-dropped"' not in page
    # the deadline the amendment stores (today asked here was the next day for a run crossing midnight in Beijing
    # since the amendment, f242fee)
    assert f"布袋除尘器3号仓布袋破损（整改期限 {amendment.items.get(code='HB-001').deadline}" in page
    english = form(draft, users["inspector"], "en")
    assert f"The source record was corrected by amendment {amendment.number}" in english


def test_the_form_and_the_recheck_page_say_which_order_the_amendment_dropped(source, recheck, users):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    first = amended(source, users, kept(source), order("未按规定开展自行监测", days=20))  # HB-002 joins the re-check
    draft.refresh_from_db()
    assert list(draft.items.values_list("code", flat=True)) == ["HB-001", "HB-002"]
    second = amended(first, users, kept(first), NO_PROBLEM)  # … and leaves it again
    draft.refresh_from_db()
    assert list(draft.items.values_list("code", flat=True)) == ["HB-001"]
    page = form(draft, users["inspector"])
    assert f"原检查记录已由更正记录 {second.number} 更正" in page
    assert "不再责令改正的事项（HB-002）不再复查，已从本记录中删除。" in page

    detail = signed_in(users["inspector"], "zh-hans").get(recheck.get_absolute_url()).content.decode()
    assert "已更正，需复查的问题按更正后的记录" in detail and second.number in detail
    problems = detail.split("需复查的问题", 1)[1].split("以往检查", 1)[0]
    dropped = problems[problems.index("未按规定开展自行监测"):].split("</li>", 1)[0]
    assert 'data-closed-as="amended"' in dropped and "更正后不再处置" in dropped and "已办结" not in dropped

