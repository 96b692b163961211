"""`{% ifconsent "analytics" %}<script …>{% endifconsent %}`: optional scripts load only
after the visitor has agreed to their category (UI-2)."""

from django import template
from django.template.base import Parser, Token
from django.template.context import Context

from folkmoot.pages.consent import Consent, read_consent

register = template.Library()


class IfConsentNode(template.Node):
    def __init__(
        self, category: template.base.FilterExpression, nodelist: template.NodeList
    ) -> None:
        self.category = category
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        consent = context.get("consent")
        if not isinstance(consent, Consent):
            request = context.get("request")
            consent = read_consent(request) if request is not None else Consent(given=False)
        if consent.allows(str(self.category.resolve(context))):
            return self.nodelist.render(context)
        return ""


@register.tag
def ifconsent(parser: Parser, token: Token) -> IfConsentNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("ifconsent takes one argument: the cookie category")
    nodelist = parser.parse(("endifconsent",))
    parser.delete_first_token()
    return IfConsentNode(parser.compile_filter(bits[1]), nodelist)
