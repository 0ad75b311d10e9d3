"""No template writes Chinese punctuation around translated words: an English page then reads
"Mark defunct：保定市…", "Awaiting answer（0）", "Dice rolled before witnesses：3,5,1,6". Marks outside a
translation go through {% colon %}, {% aside %}, {% sep %}, {% comma %}, {% semicolon %}, {% period %} or the |join_sep,
|join_semicolon filters (shuangsuiji/punctuation.py); marks inside a translated sentence are the translator's."""

import re
from pathlib import Path

from django.template import engines
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent / "shuangsuiji"
# The printed inspection record is the official Chinese form, whatever the language of the page that links it.
CHINESE_ONLY = {"record_pdf.html"}

COMMENTS = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}", re.S)
BLOCKS = re.compile(r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}", re.S)
TAGS = re.compile(r"\{%.*?%\}", re.S)
VARIABLES = re.compile(r"\{\{.*?\}\}", re.S)
FULL_WIDTH = re.compile(r"[：（）；、，。]")
CHINESE_JOIN = re.compile(r"\|join:[\"'][：；、，][\"']")


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/templates/**/*.html") if p.name not in CHINESE_ONLY)


def _untranslated_marks(source: str) -> list[str]:
    """The lines of a template's own text (translations, tags and variables taken out) holding a Chinese mark."""
    text = VARIABLES.sub("", TAGS.sub("", BLOCKS.sub("", COMMENTS.sub("", source))))
    return [line.strip() for line in text.splitlines() if FULL_WIDTH.search(line)]


def test_the_scan_sees_a_mark_written_beside_a_translation_and_passes_the_readers_marks():
    assert _untranslated_marks('{% translate "编辑" %}：{{ object }}') == ["："]
    assert _untranslated_marks('<b>{{ label }}（{{ n }}）</b>') == ["<b>（）</b>"]
    assert _untranslated_marks('{% translate "编辑" %}{% colon %}{{ object }}{% aside %}{{ n }}{% endaside %}') == []
    assert _untranslated_marks('{% blocktranslate %}期限：{{ day }}。{% endblocktranslate %}') == []


def test_no_template_writes_chinese_punctuation_outside_a_translation():
    found = {}
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        lines = _untranslated_marks(source) + CHINESE_JOIN.findall(source)
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}


def test_a_sentence_end_and_a_joined_list_take_the_marks_of_the_language():
    source = ('{% load i18n %}{% translate "见证人" %}{% colon %}{{ names|join_sep }}{% period %}'
              '|{{ clauses|join_semicolon }}|v2{% comma %}abc')
    template = engines["django"].from_string(source)
    context = {"names": ["刘淑芬", "<b>"], "clauses": ["a", "b"]}
    with translation.override("zh-hans"):
        assert template.render(context) == "见证人：刘淑芬、&lt;b&gt;。|a；b|v2，abc"
    with translation.override("en"):
        assert template.render(context) == "Witnesses: 刘淑芬, &lt;b&gt;. |a; b|v2, abc"


def test_no_template_comment_spans_lines():
    """Django's ``{# #}`` ends at its line: one spread over two lines is not a comment but text on the page (or,
    outside any block of a template that extends another, silently dropped until the next edit moves it)."""
    spread = [f"{path.relative_to(ROOT)}:{number}" for path in sorted(ROOT.glob("**/templates/**/*.html"))
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if "{#" in line and "#}" not in line.split("{#", 1)[1]]
    assert spread == [], f"use {{% comment %}} for a note of several lines: {spread}"
