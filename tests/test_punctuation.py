"""{% aside %}, {% colon %}, {% sep %}: the marks of the page's language, in every template without a load."""

from django.template import engines
from django.utils import translation

SOURCE = ('{% load i18n %}Due 2026-09-30{% aside %}'
          '{% blocktranslate with n=days %}逾期 {{ n }} 天{% endblocktranslate %}{% endaside %}'
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
