"""{% aside %}, {% colon %}, {% sep %}: the marks of the page's language, in every template without a load."""

from django.template import engines
from django.utils import translation

SOURCE = ('{% load i18n %}Due 2026-09-30{% aside %}'
          '{% blocktranslate count n=days %}逾期 {{ n }} 天{% plural %}逾期 {{ n }} 天{% endblocktranslate %}'
          '{% endaside %}'
          '|{% aside %}{{ empty }}{% endaside %}|{% aside %}{{ name }}{% endaside %}')


def render(language: str, **context: object) -> str:
    with translation.override(language):
        return engines["django"].from_string(SOURCE).render({"days": 3, "empty": "", **context})


def test_chinese_brackets_in_chinese_ascii_ones_after_a_space_in_english():
    assert render("zh-hans", name="张三") == "Due 2026-09-30（逾期 3 天）||（张三）"
    assert render("en", name="Zhang") == "Due 2026-09-30 (3 days overdue)|| (Zhang)"


def test_nothing_for_an_empty_remark_and_the_inner_text_stays_escaped():
    assert render("en", name="<b>") == "Due 2026-09-30 (3 days overdue)|| (&lt;b&gt;)"


def test_a_label_and_an_enumeration_take_the_marks_of_the_language():
    source = ('{% load i18n %}{% translate "见证人" %}{% colon %}'
              '{% for n in names %}{{ n }}{% if not forloop.last %}{% sep %}{% endif %}{% endfor %}')
    template, names = engines["django"].from_string(source), {"names": ["刘淑芬", "陈志强"]}
    with translation.override("zh-hans"):
        assert template.render(names) == "见证人：刘淑芬、陈志强"
    with translation.override("en"):
        assert template.render(names) == "Witnesses: 刘淑芬, 陈志强"


def test_python_joins_with_the_marks_of_the_active_language():
    from shuangsuiji.punctuation import bracketed, join_comma, join_semicolon, join_sep

    with translation.override("zh-hans"):
        assert join_sep(["HB-001", "HB-002"]) == "HB-001、HB-002"
        assert join_semicolon(["请填写理由", "日期不能晚于今天"]) == "请填写理由；日期不能晚于今天"
        assert join_comma(["a", "b"]) == "a，b"
        assert bracketed("专家") == "（专家）"
    with translation.override("en"):
        assert join_sep(["HB-001", "HB-002"]) == "HB-001, HB-002"
        assert join_semicolon(["Give a reason", "No later than today"]) == "Give a reason; No later than today"
        assert join_comma(iter(["a", "b"])) == "a, b"  # any iterable, each item made text
        assert join_sep([1, 2]) == "1, 2"
        assert bracketed("expert") == " (expert)" and bracketed("") == ""


def test_stored_text_built_under_the_system_language_keeps_chinese_marks_on_an_english_page():
    from shuangsuiji.audit.services import system_language
    from shuangsuiji.punctuation import join_semicolon, join_sep

    with translation.override("en"), system_language():
        assert join_sep(["刘淑芬", "陈志强"]) == "刘淑芬、陈志强"
        assert join_semicolon(["甲", "乙"]) == "甲；乙"
    # no active language at all is the untranslated source text: Chinese
    with translation.override(None):
        assert join_sep(["甲", "乙"]) == "甲、乙"


def test_the_template_filters_join_as_python_does_and_escape_each_item():
    template = engines["django"].from_string("{{ codes|join_sep }}|{{ errors|join_semicolon }}")
    context = {"codes": ["A-01", "<b>"], "errors": ["x", "y"]}
    with translation.override("en"):
        assert template.render(context) == "A-01, &lt;b&gt;|x; y"
    with translation.override("zh-hans"):
        assert template.render(context) == "A-01、&lt;b&gt;|x；y"
