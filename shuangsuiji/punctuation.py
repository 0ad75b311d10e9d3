"""Punctuation in the reader's language, for templates that put translated words together.

Chinese sets its marks full-width against the text: "期限 2026-09-30（逾期 3 天）", "见证人：刘淑芬、陈志强"; English
uses ASCII ones with spaces: "Due 2026-09-30 (3 days overdue)", "Witnesses: 刘淑芬, 陈志强". Written into templates as
"（{% translate … %}）" or "{% translate … %}：", the English pages showed Chinese marks.

- ``{% aside %}…{% endaside %}``: a parenthetical remark;
- ``{% colon %}``: after a label;
- ``{% sep %}``: between the items of an enumeration;
- ``{% semicolon %}``: between clauses.

Builtins of the template engine (settings.TEMPLATES), so no template loads them.
"""

from django import template
from django.template.base import Parser, Token
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
def semicolon() -> str:
    return "；" if _chinese() else "; "
