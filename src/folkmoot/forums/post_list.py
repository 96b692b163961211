"""A thread page's posts with their controls, written out in Python (issue 11).

This list is the hottest loop of the signed-in pages: in the template language each post
with its controls took about 0.26 ms, most of a 20-post page's rendering, spent resolving
variables node by node. Here every value still goes through `format_html` (below), which
escapes whatever is not already safe, so a hostile author name, office, reason or file name is
text; a post's stored HTML is sanitised again on the way out (`user_html`), as the template
did. Every string is translated with the same messages the template used.

The markup is the one `forums/_thread_content.html` had: the page's shared forms (one per
kind of action, each with its CSRF token once) stay in the template; each post's buttons
join them with form= and formaction=. Only a moderator's "move to the trash" form is a form
of its own per post (it takes a reason and minutes)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from folkmoot.listdates import short_datetime
from folkmoot.pages.templatetags.usertext import user_html


def format_html(template: str, *values: Any) -> SafeString:
    """Django's format_html without its lazy-string checks, which cost more than the
    formatting on a page of twenty posts: each value is escaped unless it is already safe
    (has __html__), the template is trusted."""
    return SafeString(template.format(*map(_escaped, values)))


def _escaped(value: Any) -> str:
    if type(value) is int:  # a key or a count: nothing to escape
        return str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def format_html_join(separator: str, template: str, rows: Iterable[tuple[Any, ...]]) -> SafeString:
    return SafeString(separator.join(format_html(template, *row) for row in rows))


# Where a post's own path goes in a block written once per page: a character no path,
# translation or escaped value holds, and that escaping leaves as it is.
_PATH = "\x00post-path\x00"


@dataclass(frozen=True)
class Controls:
    """What every post's controls share on this page, worked out once."""

    may_reply: bool
    may_moderate: bool
    office_buttons: list[tuple[str, str]]  # (office key, "+1 as <office>")
    report_kinds: list[tuple[str, str]]
    moderation_minutes: tuple[int, int]
    sanctions_url: str


@dataclass(frozen=True)
class _Words:
    """The page's words, translated once in the reader's language."""

    give_plus: str
    give_minus: str
    quote: str
    edit: str
    attach: str
    edited: str
    report: str
    moderate: str
    restore: str
    reason: str
    trash: str
    trash_thread: str
    sanction: str
    minutes: str
    show_text: str
    # The same for every post but its report path (_PATH): written once per page.
    report_block: SafeString
    # A moderator's trash form carries it, as the template's {% csrf_token %} wrote it.
    csrf_input: SafeString

    @classmethod
    def now(cls, controls: Controls, request: Any) -> _Words:
        minutes = controls.moderation_minutes
        report = _("Report")
        return cls(
            give_plus=_("Give +1"),
            give_minus=_("Give −1"),
            quote=_("Quote"),
            edit=_("Edit"),
            attach=_("Attach images or files"),
            edited=_("edited"),
            report=report,
            moderate=_("Moderate"),
            restore=_("Restore"),
            reason=_("Reason (public)"),
            trash=_("Move this reply to the trash"),
            trash_thread=_("Move the whole thread to the trash"),
            sanction=_("Sanction the author"),
            minutes=_("Sanction in minutes (%(min)s–%(max)s)")
            % {"min": minutes[0], "max": minutes[1]},
            show_text=_("Show the text"),
            report_block=format_html(
                '<details class="inline-details"><summary>{}</summary>\n{}</details>\n',
                report,
                format_html_join(
                    "",
                    '<button form="form-report" formaction="{}" name="kind" value="{}" '
                    'class="small">{}</button>\n',
                    ((_PATH, kind, label) for kind, label in controls.report_kinds),
                ),
            ),
            csrf_input=format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            )
            if controls.may_moderate
            else SafeString(""),
        )


def posts_html(
    rows: list[dict[str, Any]],
    controls: Controls,
    request: Any,
    heads: list[SafeString] | None = None,
) -> tuple[SafeString, list[SafeString]]:
    """The <li> of each row (`thread_posts._rows`), in order, and each post's head: all of it
    above its footer (author, date, quote, text, files), which is the same for every reader
    who is not a moderator, its author or a file's uploader (forums/thread_posts.py keeps
    them). `heads`: the kept ones, written again only where not given."""
    words = _Words.now(controls, request)
    if heads is None:
        heads = [_head(row, words, request) for row in rows]
    return mark_safe(
        "".join(
            format_html(
                '<li class="post" id="post-{}" hx-disable>\n{}\n<footer class="post-footer">{}'
                "</footer>\n</li>\n",
                row["post"].pk,
                head,
                _footer(row, controls, words, first=i == 0),
            )
            for i, (row, head) in enumerate(zip(rows, heads, strict=True))
        )
    ), heads


def _head(row: dict[str, Any], words: _Words, request: Any) -> SafeString:
    post = row["post"]
    paths = row["paths"]
    office = (
        format_html(
            ' <span class="badge">{}</span>', _("as %(office)s") % {"office": row["office"]}
        )
        if row["office"]
        else ""
    )
    edited = (
        format_html(' · <a href="{}">{}</a>', paths["history"], words.edited)
        if post.edited_at
        else ""
    )
    header = format_html(
        '<header class="post-header"><strong>{}</strong>{}\n<span class="meta">'
        '<a href="#post-{}">{}</a>{}</span></header>\n',
        post.author,
        office,
        post.pk,
        short_datetime(post.created_at),
        edited,
    )
    quoted = (
        format_html(
            '<p class="meta">{} (<a href="#post-{}">#{}</a>)</p>\n',
            _("Replying to %(name)s") % {"name": post.quote_of.author},
            post.quote_of.pk,
            post.quote_of.pk,
        )
        if post.quote_of_id
        else ""
    )
    body = format_html(
        '<div class="post-body prose">{}</div>{}', user_html(post.body_html), _files(row, request)
    )
    if post.trashed_at:
        moved = _("Moved to the trash by moderation: %(reason)s") % {"reason": post.trash_reason}
        body = format_html(
            '<p class="reasons">{}</p>\n<details><summary>{}</summary>{}</details>',
            moved,
            words.show_text,
            body,
        )
    return format_html("{}{}{}", header, quoted, body)


def _files(row: dict[str, Any], request: Any) -> str:
    # Few posts carry files: the attachments' own template shows them, with their controls.
    if not row["attachments"]:
        return ""
    return render_to_string(
        "attachments/_shown.html", {"attachments": row["attachments"]}, request=request
    )


def _pressed(value: bool) -> str:
    return "true" if value else "false"


def _footer(row: dict[str, Any], controls: Controls, words: _Words, *, first: bool) -> str:
    post, paths, counted, pressed = row["post"], row["paths"], row["reactions"], row["pressed"]
    parts = [
        format_html('<span class="meta">+{} / −{}</span>\n', counted.plus, counted.minus),
        format_html_join(
            "",
            '<span class="badge">{}</span>',
            (
                (_("%(n)s +1 from %(office)s") % {"n": n, "office": office},)
                for office, n in row["supports"].items()
            ),
        )
        if row["supports"]
        else "",
        "\n",
    ]
    if controls.may_reply:
        parts.append(
            format_html(
                '<button form="form-react" formaction="{}" name="value" value="1" '
                'class="small secondary" aria-label="{}" aria-pressed="{}">+1</button>\n'
                '<button form="form-react" formaction="{}" name="value" value="-1" '
                'class="small secondary" aria-label="{}" aria-pressed="{}">−1</button>\n',
                paths["react"],
                words.give_plus,
                _pressed(pressed["plus"]),
                paths["react"],
                words.give_minus,
                _pressed(pressed["minus"]),
            )
        )
        parts += [
            format_html(
                '<button form="form-react-as-{}" formaction="{}" name="value" value="1" '
                'class="small secondary" aria-pressed="{}">{}</button>\n',
                key,
                paths["react"],
                _pressed(key in pressed["offices"]),
                label,
            )
            for key, label in controls.office_buttons
        ]
        parts.append(format_html('<a href="?quote={}#reply">{}</a>\n', post.pk, words.quote))
    if row["editable"]:
        parts.append(
            format_html(
                '<a href="{}">{}</a> <a href="{}#attach-post-{}">{}</a>\n',
                paths["edit"],
                words.edit,
                paths["edit"],
                post.pk,
                words.attach,
            )
        )
    if row["reportable"]:
        parts.append(words.report_block.replace(_PATH, html.escape(paths["report"])))
    if controls.may_moderate:
        parts.append(_moderation(row, controls, words, first=first))
    # Every part came out of format_html: joined, they stay safe.
    return mark_safe("".join(parts))


def _moderation(row: dict[str, Any], controls: Controls, words: _Words, *, first: bool) -> str:
    post, paths = row["post"], row["paths"]
    if post.trashed_at:
        inside = format_html(
            '<button form="form-restore" formaction="{}" class="small">{}</button>\n',
            paths["restore"],
            words.restore,
        )
    else:
        whole = (
            format_html(
                '<button type="submit" name="scope" value="thread" class="small secondary">'
                "{}</button>",
                words.trash_thread,
            )
            if first
            else ""
        )
        inside = format_html(
            '<form method="post" action="{}">{}\n'
            '<div class="field"><label for="reason-{}">{}</label>'
            '<input id="reason-{}" name="reason" required></div>\n'
            '<div class="field"><label for="minutes-{}">{}</label><input id="minutes-{}" '
            'name="minutes" inputmode="numeric" value="{}"></div>\n'
            '<button type="submit" name="scope" value="post" class="small">{}</button>\n'
            "{}\n</form>\n"
            '<p><a href="{}?person={}#impose-title">{}</a></p>\n',
            paths["trash"],
            words.csrf_input,
            post.pk,
            words.reason,
            post.pk,
            post.pk,
            words.minutes,
            post.pk,
            controls.moderation_minutes[0],
            words.trash,
            whole,
            controls.sanctions_url,
            post.author.public_id,
            words.sanction,
        )
    return format_html(
        '<details class="inline-details"><summary>{}</summary>\n{}</details>\n',
        words.moderate,
        inside,
    )
