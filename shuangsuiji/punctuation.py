"""Punctuation in the reader's language, for templates that put translated words together.

Chinese sets its marks full-width against the text: "期限 2026-09-30（逾期 3 天）", "见证人：刘淑芬、陈志强"; English
uses ASCII ones with spaces: "Due 2026-09-30 (3 days overdue)", "Witnesses: 刘淑芬, 陈志强". Written into templates as
"（{% translate … %}）" or "{% translate … %}：", the English pages showed Chinese marks.

- ``{% aside %}…{% endaside %}``: a parenthetical remark;
- ``{% colon %}``: after a label;
- ``{% sep %}``: between the items of an enumeration;
- ``{% comma %}``: between the parts of a clause (not an enumeration, which takes ``{% sep %}``);
- ``{% semicolon %}``: between clauses;
- ``{% period %}``: at the end of a sentence put together from translated pieces;
- ``|join_sep``, ``|join_semicolon``: a list joined with ``{% sep %}`` or ``{% semicolon %}`` (its items escaped).

Builtins of the template engine (settings.TEMPLATES), so no template loads them.
"""

from django import template
from django.template.base import Parser, Token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


class AsideNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        # the inner nodes escaped what needed escaping; brackets add nothing unsafe
        inner = self.nodelist.render(context).strip()
        if not inner:
            return mark_safe("")
        if _chinese():
            return mark_safe(f"（{inner}）")
        return mark_safe(f" ({inner})")


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


@register.filter(is_safe=True, needs_autoescape=True)
def join_sep(values: object, autoescape: bool = True) -> SafeString:
    return _join(values, sep(), autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def join_semicolon(values: object, autoescape: bool = True) -> SafeString:
    return _join(values, semicolon(), autoescape)


def _join(values: object, mark: str, autoescape: bool) -> SafeString:
    escape = conditional_escape if autoescape else str
    return mark_safe(mark.join(str(escape(value)) for value in values))  # type: ignore[attr-defined]
