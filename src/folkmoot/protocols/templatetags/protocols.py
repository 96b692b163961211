from django import template
from django.utils.translation import get_language

from folkmoot.governance.protocol import LocalizedText

register = template.Library()


@register.filter
def localized(text: LocalizedText | None) -> str:
    """A protocol's four-language text in the reader's language (English as fallback)."""
    return text.get(get_language() or "en") if text is not None else ""
