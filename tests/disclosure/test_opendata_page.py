"""/public/opendata/: every dataset documented with its page, downloads, API address, download columns and
API fields (read from where they are made), the paging, the errors, a curl example and the OpenAPI schema."""

import html
import re

import pytest
from django.urls import reverse

from shuangsuiji.disclosure import public, views_opendata

pytestmark = pytest.mark.django_db


@pytest.fixture
def opendata_url():
    return reverse("public:opendata")


def test_opendata_documents_every_dataset_and_the_api(client, opendata_url, settings):
    settings.PUBLIC_API_RATE = "600/minute"
    response = client.get(opendata_url)
    assert response.status_code == 200
    text = response.content.decode()
    for endpoint in ("results", "list", "plans", "items", "verification", "corrections"):
        assert f'href="/api/public/{endpoint}/"' in text
    for dataset in views_opendata.DATASETS:
        for key, label in public.COLUMNS.get(dataset.page, []):  # the downloads' columns
            assert f"<code>{key}</code></th><td>{label}</td>" in text
        for key, meaning in dataset.fields.items():  # the API's fields
            assert key == "__name__" or f"<code>{key}</code></th><td>{meaning}</td>" in text
    for parameter in ("jurisdiction", "month", "industry", "outcome", "q", "page", "page_size"):
        assert f"<code>{parameter}</code>" in text
    assert "curl &#x27;http://testserver/api/public/results/?month=2026-03&amp;outcome=problem" in text
    assert 'href="/api/public/schema/?format=json"' in text
    assert "600/minute" in text and "429" in text and "400" in text


def test_opendata_links_the_portal_downloads(client, opendata_url):
    text = client.get(opendata_url).content.decode()
    for dataset in views_opendata.DATASETS:
        if dataset.page:
            page = reverse(f"public:{dataset.page}")
            assert f'href="{page}?format=csv"' in text and f'href="{page}?format=json"' in text


def test_opendata_in_english_describes_the_api_fields_and_parameters_in_english(client, opendata_url):
    # The descriptions are Chinese literals kept for the OpenAPI schema; the page used to show them untranslated.
    client.cookies["django_language"] = "en"
    text = client.get(opendata_url).content.decode()
    assert "<code>outcome</code></th><td>Result code: ok / problem / withheld</td>" in text
    assert "<code>page_size</code></th><td>Rows per page, 50 by default, at most 500</td>" in text
    tables = re.findall(r"<tr><th[^>]*><code>\w+</code></th><td>([^<]*)</td></tr>", text)
    assert len(tables) > 60
    assert not [cell for cell in tables if re.search(r"[\u4e00-\u9fff]", cell)]


def test_opendata_explains_how_to_keep_a_copy_in_sync(client, opendata_url):
    text = client.get(opendata_url).content.decode()
    section = text[text.index('id="sync"'):text.index('id="sync"') + 6000]
    for words in ("<code>changed_since</code>", "<code>after</code>", "<code>changed_at</code>", "public_id",
                  "5 分钟", "%2B"):
        assert words in section, words
    # The shell example: the offset's "+" encoded, every page through next, the latest change time kept.
    assert "curl -sf &quot;$url&quot;" in section and "changed_since=2026-04-15T09:40:00%2B08:00" in section
    assert "jq -r .next" in section and "jq -r .changed_at" in section
    assert "http://testserver/api/public/results/?changed_since=" in section
    # both filters that are safe for a partial copy are named (a result's plan and place are not correctable)
    assert "<code>jurisdiction</code> 只同步一个行政区" in section
    assert "<code>plan</code> 只同步一个计划的结果" in section


def test_the_sync_explanation_reads_in_english(client, opendata_url):
    client.cookies["django_language"] = "en"
    text = client.get(opendata_url).content.decode()
    start = text.index('id="api"')
    prose = re.sub(r"<[^>]+>", " ", text[start:text.index("</pre>", text.index('id="sync"'))])
    assert not re.findall(r"[\u4e00-\u9fff]+", prose)
    assert "Keeping a copy of the results in sync" in prose and "minus a few minutes" in prose


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", "不看请求头 Accept-Language"),
    ("en", "The API's error messages and labels (such as <code>outcome_label</code>) are in Chinese"),
])
def test_opendata_says_the_api_answers_in_chinese_unless_the_language_cookie_asks_for_english(
        client, opendata_url, language, words):
    # The API's messages follow the portal's language cookie, never Accept-Language (accounts.middleware): an
    # English reader's script got Chinese errors and labels, and the English page did not say why or what to send.
    client.cookies["django_language"] = language
    text = client.get(opendata_url).content.decode()
    section = text[text.index('id="api-language"'):]
    section = section[:section.index("</p>")]
    assert words in section and "<code>django_language=en</code>" in section
    # What the page promises: without the cookie, an English browser's request is answered in Chinese.
    del client.cookies["django_language"]
    wrong = client.get("/api/public/results/", {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "月份应写作" in wrong.json()["month"][0]
    client.cookies["django_language"] = "en"
    assert "Write the month" in client.get("/api/public/results/", {"month": "2026-13"}).json()["month"][0]


@pytest.mark.parametrize(("language", "example", "default"), [
    ("zh-hans", '{"month":["月份应写作 YYYY-MM，如 2026-03，收到“2026-13”"]}', None),
    ("en", '{"month":["Write the month as YYYY-MM, such as 2026-03; got \\"2026-13\\""]}',
     '{"month":["月份应写作 YYYY-MM，如 2026-03，收到“2026-13”"]}'),
])
def test_the_error_example_is_the_apis_answer_in_the_readers_language(client, opendata_url, language, example,
                                                                      default):
    """The English page showed the Chinese error as its example. It shows the API's own answer to the same mistake
    as the reader's cookie gets it, and on an English page the Chinese one a client without the cookie gets."""
    client.cookies["django_language"] = language
    section = client.get(opendata_url).content.decode()
    section = html.unescape(section[section.index('id="api-errors"'):])
    section = section[:section.index("</p>")]
    api = client.get("/api/public/results/", {"month": "2026-13"})
    assert api.status_code == 400 and api.content.decode() == example  # the example is the API's body
    assert f"<code>{example}</code>" in section
    if default is None:
        assert "Cookie" not in section
    else:
        assert "without it the API answers in Chinese" in section and f"<code>{default}</code>" in section


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ("接口没有“已删除”的列表", "一经提交原则上不予撤销或修改", "重新完整读取一次", "不要换成本机的时钟")),
    ("en", ("the API has no list of deleted rows", "neither revoked nor altered", "read everything once again",
            "never use your computer's clock")),
])
def test_opendata_says_nothing_published_is_taken_down_and_what_a_division_change_does(client, opendata_url,
                                                                                        language, words):
    # A client keeping a copy asked how it learns of removals: there are none (results are corrected, plans and
    # lists stay), and the one way a row leaves a partial copy, a division change, is told with what to do.
    client.cookies["django_language"] = language
    text = client.get(opendata_url).content.decode()
    section = text[text.index('id="sync-removals"'):]
    section = section[:section.index("</p>")]
    for word in words:
        assert word in section, word
    assert "<code>jurisdiction_code</code>" in section and "<code>changed_at</code>" in section


def _parameter_row(text: str, name: str) -> str:
    found = re.search(rf"<tr><th[^>]*><code>{name}</code></th><td>([^<]*)</td></tr>", text)
    assert found, name
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("language", "both", "plans_note"), [
    ("zh-hans", ("抽查结果和抽查计划", "结果和计划都不会被删除"), "抽查事项改编码、名称或适用行业"),
    ("en", ("The results and plans lists", "Published results and plans are never deleted"),
     "a check item of the plan given another code, name or industry scope"),
])
def test_the_parameter_table_describes_changed_since_for_results_and_plans(client, opendata_url, language, both,
                                                                           plans_note):
    """/api/public/plans/ takes changed_since too (Plan.changed_at): the page's table of parameters described it in
    the results' words only ("…的结果", "已公开的结果不会被删除"), which a plans mirror read as not meant for it."""
    client.cookies["django_language"] = language
    text = client.get(opendata_url).content.decode()
    row = _parameter_row(text, "changed_since")
    for words in both:
        assert words in row
    start = text.index('id="sync-plans"')
    paragraph = html.unescape(re.sub(r"<[^>]+>", "", text[start:text.index("</p>", start)]))
    assert plans_note in " ".join(paragraph.split())
