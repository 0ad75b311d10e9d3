"""A refused evidence upload on a follow-up's page (a kind of file not taken, an empty file) was said only above
the page, after a redirect: the page comes again (400) with the reason at the file box as well, the box marked
invalid and pointing at it, and the caption as typed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangsuiji.fieldwork.models import FollowUpEvidence, Handling
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up(problem_handled):
    return problem_handled(Handling.CASE)


def upload(users, follow_up, name: str, content: bytes, caption: str = "整改回执"):
    return signed_in(users["inspector"]).post(reverse("fieldwork:followup_evidence", args=[follow_up.pk]),
                                              {"file": SimpleUploadedFile(name, content), "caption": caption})


def file_box(page: str) -> str:
    return re.search(r'<input\b[^>]*id="evidence-file"[^>]*>', page).group(0)


def reason_at_box(page: str) -> str:
    return page[page.index('id="evidence-file-error"'):].split("</div>", 1)[0]


def test_a_file_of_a_kind_not_taken_is_refused_at_the_file_box(users, follow_up):
    answer = upload(users, follow_up, "标志.svg", b"<svg/>")
    assert answer.status_code == 400
    page = answer.content.decode()
    box = file_box(page)
    assert "is-invalid" in box and 'aria-invalid="true"' in box
    assert 'aria-describedby="evidence-file-error evidence-allowed"' in box
    assert "不能上传“标志.svg”：不允许此类文件" in reason_at_box(page)
    assert 'value="整改回执"' in re.search(r'<input\b[^>]*id="evidence-caption"[^>]*>', page).group(0)
    assert not FollowUpEvidence.objects.exists()


def test_an_empty_file_is_refused_at_the_file_box(users, follow_up):
    answer = upload(users, follow_up, "回执.pdf", b"")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'aria-invalid="true"' in file_box(page)
    assert reason_at_box(page).strip()  # the form's own word for an empty file, at the box
    assert not FollowUpEvidence.objects.exists()


def test_an_accepted_file_goes_back_to_the_page_unmarked(users, follow_up):
    answer = upload(users, follow_up, "回执.pdf", b"%PDF-1.4 receipt")
    assert answer.status_code == 302
    page = signed_in(users["inspector"]).get(answer.url).content.decode()
    assert "aria-invalid" not in file_box(page) and 'id="evidence-file-error"' not in page
    assert FollowUpEvidence.objects.filter(follow_up=follow_up).count() == 1
