"""User-written rich text in templates, through one sanitiser (issue 10, "Stored injection
that casts ballots").

- `{{ post.body_html|user_html }}`: a stored `body_html` column (Markdown already rendered
  by `folkmoot.forums.text.render`), cleaned again with the same nh3 allow-list before it is
  shown: defence in depth against a tampered or legacy column.
- `{{ text|markdown }}`: a text that has no stored HTML, rendered by the same function.

A text that sanitises to nothing shows as nothing: never fall back to the raw text (that
fallback let a proposal made only of stripped markup reach the vote page as live htmx).
These two filters and `protocols.texts.markdown_to_html` are the only places that mark
HTML safe; tests/test_user_content.py fails the suite on any new one, in a template or in
the code, until it is reviewed and added to its allow-list."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from folkmoot.forums.text import clean, render

register = template.Library()


@register.filter
def user_html(stored: object) -> SafeString:
    """A stored, already rendered text, sanitised again and safe to show."""
    if not stored:
        return SafeString("")
    return mark_safe(clean(str(stored)))  # nh3 with the allow-list of forums/text.py


@register.filter
def markdown(text: object) -> SafeString:
    """A user's Markdown with no stored rendering, rendered and sanitised."""
    if not text:
        return SafeString("")
    return mark_safe(render(str(text)))  # forums.text.render ends in nh3.clean
