"""Accessibility of the pages people rely on, checked with axe-core in real headless Chromium: staff at a desk,
an inspector and the public on a phone. Each role crawls from its home page through the links it is shown, on
demo Baoding (tiny scale), and every page it reaches must pass WCAG 2.1 A/AA and axe's best practices: 4.5:1
text contrast on the system's off-white, a name for every link and field, text in every table heading, and a
keyboard way into every box that scrolls sideways."""

import re
from datetime import date
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.demo.services import DEMO_PASSWORD

from ..seeding import seed_tiny_demo
from .conftest import PHONE, assert_accessible, watch_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIP = re.compile(r"/(logout|login|admin|api|media|static)/|\.(xlsx|pdf|csv|json|zip|png|jpe?g)$|"
                  r"/(export|download|file|pdf)|[?&](page|format)=")
PAGES_PER_ROLE = 14


@pytest.fixture
def baoding(db) -> date:
    """The whole demo of today: the pages crawled show its field records, follow-ups and publications."""
    today = timezone.localdate()
    seed_tiny_demo(today)
    return today


def crawl(page, base: str, start: str, limit: int = PAGES_PER_ROLE) -> list[str]:
    """Visit ``start`` and the pages its links lead to, breadth first, one page per URL shape (ids folded),
    checking each; return the paths checked."""
    queue, shapes, checked = [base + start], set(), []
    while queue and len(checked) < limit:
        url = queue.pop(0)
        shape = re.sub(r"/\d+/", "/N/", urlparse(url).path)
        if shape in shapes:
            continue
        shapes.add(shape)
        response = page.goto(url)
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert_accessible(page)
        checked.append(urlparse(url).path)
        queue += [link for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
                  if link.startswith(base) and "#" not in link and not SKIP.search(link)]
    return checked


def test_the_pages_of_every_role_pass_axe(chromium, open_page, live_server, baoding):
    """One demo for all roles (seeding it is the slow part): staff at a desk, the inspector and the public on
    a phone."""
    for username, viewport, limit in (("city", None, PAGES_PER_ROLE), ("county", None, PAGES_PER_ROLE),
                                      ("inspector", PHONE, PAGES_PER_ROLE), ("dept", None, 6), ("leader", None, 6)):
        page = open_page(User.objects.get(username=username), DEMO_PASSWORD, viewport)
        checked = crawl(page, live_server.url, "/", limit)
        assert len(checked) >= min(limit, 5), (username, checked)  # it reached the role's pages, not just home
        page.context.close()

    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    refused: list[str] = []
    watch_policy(context, refused)
    checked = crawl(context.new_page(), live_server.url, "/public/")
    context.close()
    assert len(checked) >= 5, checked
    assert refused == [], refused
