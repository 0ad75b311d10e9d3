"""A positive-list firm's on-site approval (实施方案 二(三)：正面清单企业原则上不进行现场执法检查) as each reader of
the sealed record reads it. The approval the record was sealed with — who decided, when, the result and the opinion —
is in the seal (``sealing.content_document``) and is the record's evidence that the visit was lawful: the page, the PDF
and the history say it to every reader of the record. The request's reason may name who complained and a rejection's
opinion is in no sealed record: only the readers of drafts (``models.reads_drafts``: admins, the team, a superuser)
read them in the history, and no page shows them."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services
from shuangsuiji.intake.models import Clue, ClueStatus
from tests.clients import signed_in

from .conftest import fill, sign_all

pytestmark = pytest.mark.django_db

FIRST_REASON = "群众郑某举报夜间偷排，需现场核实"  # names a complainant
REJECTION = "郑某所述时段无在线数据异常，先行非现场核查"  # the first request's answer: in no sealed record
SECOND_REASON = "在线监控显示周某反映的时段化学需氧量超标"
DECISION = "同意现场核实"  # the approval's opinion: sealed, shown on the page to every reader of the record
WITHHELD = "（不向您显示）"
# what the record's page answers each role, and whether he reads the draft (and so the requests' reasons)
READERS = {"county_admin": (200, True), "city_admin": (200, True), "inspector": (200, True), "leader": (200, False),
           "department_user": (200, False), "other_county_admin": (404, False), "outsider": (404, False)}


@pytest.fixture
def sealed(task, users):
    """A positive-list firm's record: the first request rejected, the second approved, then signed and sealed."""
    task.target.positive_list = True
    task.target.save()
    user, admin = users["inspector"], users["county_admin"]
    record = services.do_start_record(task, acting_user=user)
    first = services.do_request_on_site(record, reason=FIRST_REASON, acting_user=user)
    services.do_decide_on_site(first, approve=False, decision=REJECTION, acting_user=admin)
    second = services.do_request_on_site(record, reason=SECOND_REASON, acting_user=user)
    services.do_decide_on_site(second, approve=True, decision=DECISION, acting_user=admin)
    record = fill(record, user, mode="on_site", place="一号车间")
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


def history(html: str) -> str:
    return html[html.index("history-table"):]


def history_rows(html: str) -> dict[str, str]:
    """{action label: its history row's text with the tags stripped}, for the on-site steps (one row each but the
    request, asked twice: its rows joined)."""
    rows: dict[str, str] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", history(html), re.S):
        label = re.search(r'<span title="record\.on_site_\w+">([^<]+)</span>', row)
        if label:
            rows[label[1]] = rows.get(label[1], "") + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    return rows


def page(user, record) -> tuple[int, str]:
    response = signed_in(user).get(reverse("fieldwork:record_detail", args=[record.pk]))
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("role", sorted(READERS))
def test_every_reader_of_the_record_reads_the_decisions_and_the_readers_of_drafts_the_reasons(sealed, users, team,
                                                                                              role):
    user = team["outsider"] if role == "outsider" else users[role]
    status, html = page(user, sealed)
    expected, reads_drafts = READERS[role]
    assert status == expected
    if status != 200:
        for text in (FIRST_REASON, REJECTION, SECOND_REASON, DECISION):
            assert text not in html
        return
    rows = history_rows(html)
    assert set(rows) == {"申请现场检查", "不批准现场检查", "批准现场检查"}
    # the decisions: who and when (the row's columns) and the result, for every reader of the sealed record
    assert "待审批 → 未批准" in rows["不批准现场检查"]
    assert "待审批 → 已批准" in rows["批准现场检查"]
    assert users["county_admin"].display_name in rows["批准现场检查"]
    # the approval's opinion is sealed and on the page above: the history says it too
    assert DECISION in rows["批准现场检查"]
    approval = re.search(r'id="on-site-approval">(.*?)</td>', html, re.S)[1]
    assert f"现场检查经 {users['county_admin'].display_name} 于" in approval and DECISION in approval
    # the reasons and the rejection's answer: the draft's, to its readers only, and never on the page above
    for text in (FIRST_REASON, SECOND_REASON, REJECTION):
        assert (text in history(html)) is reads_drafts, text
        assert text not in html[:html.index("history-table")]
    assert (WITHHELD in rows["申请现场检查"]) is not reads_drafts
    assert (WITHHELD in rows["不批准现场检查"]) is not reads_drafts
    # the place the approval pre-filled is the draft's value: the sealed place is on the page
    assert (WITHHELD in rows["批准现场检查"]) is not reads_drafts


def test_a_superuser_reads_the_reasons_too(sealed):
    root = User.objects.create_superuser("root", password="pw-root")
    status, html = page(root, sealed)
    assert status == 200
    for text in (FIRST_REASON, SECOND_REASON, REJECTION, DECISION):
        assert text in history(html)
    assert WITHHELD not in html


def test_an_anonymous_visitor_reads_nothing(client, sealed):
    for name in ("fieldwork:record_detail", "fieldwork:record_pdf"):
        response = client.get(reverse(name, args=[sealed.pk]))
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_the_pdf_says_what_the_page_says(sealed, users, tmp_path):
    """One document for every reader of the record (the archived 检查表): the approval as the page shows it, who, when
    and the opinion, never a request's reason."""
    response = signed_in(users["leader"]).get(reverse("fieldwork:record_pdf", args=[sealed.pk]))
    assert response.status_code == 200
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                             text=True).stdout)
    assert f"现场检查经{users['county_admin'].display_name}于" in text
    assert f"审批意见：{DECISION}" in text
    for reason in (FIRST_REASON, SECOND_REASON, REJECTION):
        assert reason not in text


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_history_numbers_each_request(sealed, users, team, role):
    """The request's line said the approval's bare id ("现场检查申请：2"), read as a count; it says "#2" to every reader
    of the record, the reason only to the readers of drafts (above)."""
    user = team["outsider"] if role == "outsider" else users[role]
    status, html = page(user, sealed)
    if status != 200:
        return
    asked = " ".join(history_rows(html)["申请现场检查"].split())
    for request in sealed.on_site_requests.all():
        assert f"现场检查申请 ：#{request.pk} " in asked, asked


# --- an approved clue as the on-site approval ----------------------------------------------------------------------

FOUND_ON = datetime.date(2024, 6, 1)
APPROVED_AT = datetime.datetime(2024, 6, 10, 9, 30, tzinfo=datetime.UTC)  # 17:30 in Beijing: the same day
# who may open the clue's page from the record's (intake.models.ClueQuerySet): the team's inspector reads the clue
# of his task; a department user reads the record, not another section's clue, and gets no link to a 404
CLUE_LINKED = {"county_admin": True, "city_admin": True, "inspector": True, "leader": True, "department_user": False}


@pytest.fixture
def on_clue(task, users):
    """A positive-list firm's record sealed on an approved clue (found 06-01, approved 06-10), no request of its own."""
    task.target.positive_list = True
    task.target.save()
    clue = Clue.objects.create(target=task.target, source="off_site", found_on=FOUND_ON, description="分表计电显示停运",
                               status=ClueStatus.APPROVED, decided_by=users["county_admin"], decided_at=APPROVED_AT,
                               decision_reason="同意", applied_year=task.year, applied_quarter=task.quarter)
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    assert record.on_site_clue == clue
    record = fill(record, user, mode="on_site", place="一号车间")
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user), clue


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_page_dates_a_clue_approval_by_its_approval_day_as_the_pdf_does(on_clue, users, team, role):
    """The page said the clue's found-on day (2024-06-01) where the PDF said its approval day: the sentence is about
    the approval, so both say 06-10, and the clue as "#id" as the history numbers it."""
    record, clue = on_clue
    user = team["outsider"] if role == "outsider" else users[role]
    status, html = page(user, record)
    assert status == READERS[role][0]
    if status != 200:
        assert f"#{clue.pk}（" not in html
        return
    said = re.search(r'id="on-site-clue">(.*?)</td>', html, re.S)[1]
    assert f"现场检查依经批准的问题线索 #{clue.pk}（2024-06-10 批准）" in said
    assert "2024-06-01" not in said
    assert (reverse("intake:clue_detail", args=[clue.pk]) in said) is CLUE_LINKED[role]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (scripts/system-deps.sh test)")
def test_the_pdf_dates_a_clue_approval_as_the_page_does(on_clue, users, tmp_path):
    record, clue = on_clue
    response = signed_in(users["leader"]).get(reverse("fieldwork:record_pdf", args=[record.pk]))
    assert response.status_code == 200
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                             text=True).stdout)
    assert f"现场检查依经批准的问题线索#{clue.pk}（2024年6月10日批准）" in text
