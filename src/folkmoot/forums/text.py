"""Posts are Markdown, rendered and sanitised with nh3: nothing a user writes runs as HTML."""

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


def render(body: str) -> str:
    html = markdown.markdown(body, extensions=["sane_lists", "fenced_code"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        link_rel="nofollow noopener ugc",
        url_schemes={"http", "https", "mailto"},
    )


def quote(author: str, body: str) -> str:
    lines = body.strip().splitlines()[:20]
    return f"> **{author}**:\n" + "\n".join(f"> {line}" for line in lines) + "\n\n"
