"""Posts are Markdown, rendered and sanitised with nh3: nothing a user writes runs as HTML.

This is the one path for user-written rich text (issue 10): proposals and posts store
`render(body)` in their `body_html` column, and templates show that column only through the
`user_html` filter (`folkmoot.pages.templatetags.usertext`), which cleans it again with the
same allow-list, so a tampered or legacy column cannot smuggle markup onto a page."""

import markdown
import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
}
# No other attribute: in particular none of htmx's (hx-*, data-hx-*), no event handlers.
ATTRIBUTES = {"a": {"href", "title"}}


def clean(html: str) -> str:
    """HTML reduced to the allow-list; text outside it stays, escaped; <script> and <style>
    go with their content."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        link_rel="nofollow noopener ugc",
        url_schemes={"http", "https", "mailto"},
    )


def render(body: str) -> str:
    html = markdown.markdown(body, extensions=["sane_lists", "fenced_code"], output_format="html")
    return clean(html)


def quote(author: str, body: str) -> str:
    lines = body.strip().splitlines()[:20]
    return f"> **{author}**:\n" + "\n".join(f"> {line}" for line in lines) + "\n\n"
