"""{% aside %}: a remark in brackets of the page's language, available in every template without a load."""

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
