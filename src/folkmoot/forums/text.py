"""Posts are Markdown, rendered and sanitised with nh3: nothing a user writes runs as HTML.

This is the one path for user-written rich text (issue 10): proposals and posts store
`render(body)` in their `body_html` column, and templates show that column only through the
`user_html` filter (`folkmoot.pages.templatetags.usertext`), which cleans it again with the
same allow-list, so a tampered or legacy column cannot smuggle markup onto a page."""

import re
from collections.abc import Mapping
from functools import partial

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
    "img",
}
# No other attribute: in particular none of htmx's (hx-*, data-hx-*), no event handlers.
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
# FOR-7: an image shows only from the platform's own attachment view (which checks the
# reader may read what it is attached to), never from elsewhere: no tracking pixels, no
# same-site address that does something when fetched. Exactly what `attachment:12` becomes:
# /attachments/12/<its name, percent-encoded>, one segment, never a dot segment ("..",
# "%2e%2e") nor an encoded slash or backslash that could climb out of /attachments/12/.
ATTACHMENT_SRC = re.compile(
    r"^/attachments/\d+/(?!(?:\.|%2[eE])+$)(?:[^/\\?#%]|%(?!2[fF]|5[cC])[0-9A-Fa-f]{2})+$"
)
REFERENCE = re.compile(r"^attachment:(\d+)$")
# An image whose address the filter dropped: nothing of it is left (nh3's output is
# well-formed, its attributes quoted and escaped, so this reads it safely).
IMAGE_WITHOUT_SRC = re.compile(r"<img(?:(?!\ssrc=)[^>])*>")


def _attribute(
    refs: Mapping[int, tuple[str, bool]] | None, tag: str, attr: str, value: str
) -> str | None:
    """Each attribute nh3 keeps, filtered once more. When rendering (`refs` given), an
    `attachment:12` reference becomes the address of attachment 12 if it is one of the
    thing's own (`refs`: id → (address, is an image)); any other reference is dropped."""
    found = REFERENCE.match(value) if attr in ("src", "href") else None
    if found:
        ref = (refs or {}).get(int(found.group(1)))
        if ref is None or (tag == "img" and not ref[1]):
            return None
        return ref[0]
    if tag == "img" and attr == "src":
        # When rendering, an image is only a reference; when showing again, only what a
        # reference became.
        return value if refs is None and ATTACHMENT_SRC.match(value) else None
    return value


def clean(html: str, attachments: Mapping[int, tuple[str, bool]] | None = None) -> str:
    """HTML reduced to the allow-list; text outside it stays, escaped; <script> and <style>
    go with their content. `attachments`: see `render`."""
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=partial(_attribute, attachments),
        link_rel="nofollow noopener ugc",
        url_schemes={"http", "https", "mailto"} | ({"attachment"} if attachments else set()),
    )
    return IMAGE_WITHOUT_SRC.sub("", cleaned) if "<img" in cleaned else cleaned


def render(body: str, attachments: Mapping[int, tuple[str, bool]] | None = None) -> str:
    """`attachments`: the thing's own attachments the text may name as `attachment:12`
    (id → (address, is an image); `folkmoot.attachments.selectors.references`)."""
    html = markdown.markdown(body, extensions=["sane_lists", "fenced_code"], output_format="html")
    return clean(html, attachments if attachments is not None else {})


def quote(author: str, body: str) -> str:
    lines = body.strip().splitlines()[:20]
    return f"> **{author}**:\n" + "\n".join(f"> {line}" for line in lines) + "\n\n"
