"""``{% aside %}…{% endaside %}``: a parenthetical remark in the reader's language.

Chinese sets it in full-width brackets against the text, "期限 2026-09-30（逾期 3 天）"; English in ASCII ones after
a space, "Due 2026-09-30 (3 days overdue)". Written into templates as "（{% translate … %}）", the English page
showed Chinese brackets. A builtin of the template engine (settings.TEMPLATES), so no template loads it.
"""

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


class AsideNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        # the inner nodes escaped what needed escaping; brackets add nothing unsafe
        inner = self.nodelist.render(context).strip()
        if not inner:
            return mark_safe("")
        if (get_language() or "").startswith("zh"):
            return mark_safe(f"（{inner}）")
        return mark_safe(f" ({inner})")


@register.tag
def aside(parser: Parser, token: Token) -> AsideNode:
    nodelist = parser.parse(("endaside",))
    parser.delete_first_token()
    return AsideNode(nodelist)
