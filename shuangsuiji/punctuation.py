"""Punctuation in the reader's language, for templates that put translated words together.

Chinese sets its marks full-width against the text: "期限 2026-09-30（逾期 3 天）", "见证人：刘淑芬、陈志强"; English
uses ASCII ones with spaces: "Due 2026-09-30 (3 days overdue)", "Witnesses: 刘淑芬, 陈志强". Written into templates as
"（{% translate … %}）" or "{% translate … %}：", the English pages showed Chinese marks.

- ``{% aside %}…{% endaside %}``: a parenthetical remark (``bracketed`` in Python);
- ``{% colon %}``: after a label;
- ``{% sep %}``: between the items of an enumeration;
- ``{% comma %}``: between the parts of a clause (not an enumeration, which takes ``{% sep %}``);
- ``{% semicolon %}``: between clauses;
- ``{% period %}``: at the end of a sentence put together from translated pieces;
- ``|join_sep``, ``|join_semicolon``: a list joined with ``{% sep %}`` or ``{% semicolon %}`` (its items escaped);
- ``|citation_line``: the engine's citation line ("指导意见 二(一)；实施方案 二(三)", stored as written) with
  ``{% semicolon %}`` between its citations.

Builtins of the template engine (settings.TEMPLATES), so no template loads them. Python code that puts a list into a
message the user reads (an error, a flash message, a page value, an API error body) joins it with ``join_sep``,
``join_comma`` or ``join_semicolon`` below, the same marks as the tags. Under ``system_language()`` (text that is
stored: audit reasons, notes) the active language is Chinese, so these join with Chinese marks there too.
"""

import re
from collections.abc import Callable, Iterable

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


def _chinese() -> bool:
    # no active language (translation.deactivate_all) means the untranslated source text, which is Chinese
    return (get_language() or settings.LANGUAGE_CODE).startswith("zh")


class AsideNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        # the inner nodes escaped what needed escaping; brackets add nothing unsafe
        return mark_safe(bracketed(self.nodelist.render(context).strip()))


@register.tag
def aside(parser: Parser, token: Token) -> AsideNode:
    nodelist = parser.parse(("endaside",))
    parser.delete_first_token()
    return AsideNode(nodelist)


@register.simple_tag
def colon() -> str:
    return "：" if _chinese() else ": "


@register.simple_tag
def sep() -> str:
    return "、" if _chinese() else ", "


@register.simple_tag
def comma() -> str:
    return "，" if _chinese() else ", "


@register.simple_tag
def semicolon() -> str:
    return "；" if _chinese() else "; "


@register.simple_tag
def period() -> str:
    # English puts a space between sentences, Chinese none after its full stop
    return "。" if _chinese() else ". "


def bracketed(text: str) -> str:
    """A parenthetical remark set after the word it qualifies, as ``{% aside %}`` sets it: "（…）" in Chinese,
    " (…)" in English; nothing for an empty remark."""
    if not text:
        return ""
    return f"（{text}）" if _chinese() else f" ({text})"


def join_sep(values: Iterable[object]) -> str:
    """The items of an enumeration: "HB-001、HB-002" in Chinese, "HB-001, HB-002" in English (plain text, not
    escaped: a template escapes it, or uses the ``|join_sep`` filter)."""
    return sep().join(str(value) for value in values)


def join_comma(values: Iterable[object]) -> str:
    """Parts of a clause, "…，…" in Chinese, "…, …" in English (plain text)."""
    return comma().join(str(value) for value in values)


def join_semicolon(values: Iterable[object]) -> str:
    """Clauses or whole messages, e.g. a ValidationError's: "…；…" in Chinese, "…; …" in English (plain text)."""
    return semicolon().join(str(value) for value in values)


ENGINE_SEMICOLON = "；"
"""What the engine (which has no gettext) puts between the citations of a rule or a quota; a stratum, a
classification reason and a publication batch store that line as written."""


def citation_line(text: str | None) -> str:
    """A line of citations the engine joined, with the reader's semicolon between them: "指导意见 二(一)；实施方案
    二(三)" in Chinese, "指导意见 二(一); 实施方案 二(三)" in English (a quoted heading in English quotes). A citation
    is a document's name and a clause ("实施方案 二(三)"), never holding a semicolon of its own, so the line splits
    back into them."""
    return join_semicolon(_citations(text))


def _citations(text: object) -> list[str]:
    parts = [part.strip() for part in str(text).split(ENGINE_SEMICOLON)] if text else []
    if _chinese():
        return parts
    # A clause the policy names by its heading, 附件 二(二)“制定联合抽查计划”, is quoted as English quotes, as the
    # English texts quote a Chinese phrase ("以上记录属实"): Chinese quotation marks inside an English line stood out.
    return [" ".join(part.replace("“", ' "').replace("”", '"').split()) for part in parts]


@register.filter(name="join_sep", is_safe=True, needs_autoescape=True)
def join_sep_filter(values: object, autoescape: bool = True) -> SafeString:
    return _escaped(values, join_sep, autoescape)


@register.filter(name="join_semicolon", is_safe=True, needs_autoescape=True)
def join_semicolon_filter(values: object, autoescape: bool = True) -> SafeString:
    return _escaped(values, join_semicolon, autoescape)


@register.filter(name="citation_line", is_safe=True, needs_autoescape=True)
def citation_line_filter(text: object, autoescape: bool = True) -> SafeString:
    return _escaped(_citations(text), join_semicolon, autoescape)


def _escaped(values: object, join: Callable[[Iterable[object]], str], autoescape: bool) -> SafeString:
    # escape each item, then join with the same function Python uses: the marks themselves need no escaping
    escape = conditional_escape if autoescape else str
    return mark_safe(join(escape(value) for value in values))  # type: ignore[attr-defined]


DAY_OR_MONTH = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


@register.filter(name="whole_dates", is_safe=True, needs_autoescape=True)
def whole_dates_filter(text: object, autoescape: bool = True) -> SafeString:
    """``text`` with each ISO day or month (2026-10, 2026-10-30) kept on one line: a phone broke the English title
    "竞秀区: inspection results, 2026-10" after the hyphen, leaving "10" alone on the next line."""
    escaped = str(conditional_escape(text) if autoescape else text)
    return mark_safe(DAY_OR_MONTH.sub(lambda m: f'<span class="text-nowrap">{m.group(0)}</span>', escaped))
