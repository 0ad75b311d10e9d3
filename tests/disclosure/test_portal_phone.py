"""The portal on a 390-pixel phone: an ISO month or day is never broken at its hyphen ("2026-" / "10" on the home
page's English release titles, "2026-09-" / "30" in the plans overview's deadline), and the result's and the
objection form's boxes of facts stay inside the page's margins (a Bootstrap row's negative margins took them
12 pixels past both edges)."""

import re

import pytest

from shuangsuiji.punctuation import whole_dates_filter
from tests.disclosure.test_portal import data  # noqa: F401

pytestmark = pytest.mark.django_db

ENGLISH = {"cookie": "django_language=en"}


def test_a_month_or_a_day_is_kept_whole_and_the_rest_escaped():
    assert whole_dates_filter("竞秀区: inspection results, 2026-10") == (
        '竞秀区: inspection results, <span class="text-nowrap">2026-10</span>')
    assert whole_dates_filter("<b> 2026-09-30") == '&lt;b&gt; <span class="text-nowrap">2026-09-30</span>'


def test_the_home_pages_release_titles_keep_their_month_whole(client, data):  # noqa: F811
    page = client.get("/public/", headers=ENGLISH).content.decode()
    titles = re.findall(r'<a href="/public/results/\?jurisdiction=[^"]*">(.*?)</a>', page)
    assert titles and all(re.search(r'<span class="text-nowrap">2026-\d\d</span>$', title) for title in titles), titles


def test_the_boxes_of_facts_stay_inside_the_margins(client, data):  # noqa: F811
    public_id = data["rows"]["mill"].public_id
    for url in (f"/public/results/{public_id}/", f"/public/results/{public_id}/objection/"):
        page = client.get(url).content.decode()
        boxes = re.findall(r'<dl class="([^"]*)"', page)
        assert boxes and all("mx-0" in box.split() for box in boxes if "row" in box.split()), (url, boxes)


@pytest.mark.parametrize("language, command", [("zh-hans", "certutil -hashfile 文件名 SHA256"),
                                               ("en", "certutil -hashfile FILE SHA256")])
def test_the_windows_hash_command_is_not_broken_at_its_hyphen(client, language, command):
    """The verify page's "certutil -hashfile" broke after its hyphen on a phone ("certutil -" / "hashfile"), which
    reads as two commands; it is kept on one line, as HTML and not as escaped tags."""
    page = client.get("/public/verify/", headers={"cookie": f"django_language={language}"}).content.decode()
    paragraph = re.search(r'id="sealed-after-reveal">(.*?)</span>\s', page, re.S).group(0)
    assert f'<span class="text-nowrap">{command}</span>' in page and "&lt;span" not in paragraph
