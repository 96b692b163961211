"""Showing protocols and their problems in the reader's language."""

from __future__ import annotations

import difflib

import markdown
import nh3
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from folkmoot.governance.audience import Viewer, check_forum
from folkmoot.governance.protocol import Protocol, ProtocolInvalid
from folkmoot.governance.render import render_markdown


def protocol_markdown(protocol: Protocol, language: str | None = None) -> str:
    return render_markdown(protocol, (language or get_language() or "en")[:2], gettext)


def markdown_to_html(text: str) -> SafeString:
    """Markdown rendered and then sanitised with nh3: protocol texts are written by people.
    nh3's default allow-list (wider than posts': headings, tables) keeps no htmx attribute,
    no event handler and no script; the page shows it inside an `hx-disable` container too.
    Reviewed for issue 10: tests/test_user_content.py lists this as an allowed place."""
    html = markdown.markdown(text, extensions=["sane_lists"])
    return mark_safe(nh3.clean(html))


def problems_text(invalid: ProtocolInvalid) -> list[dict[str, str]]:
    return [
        {"path": p.path, "code": p.code, "message": p.render(gettext)} for p in invalid.problems
    ]


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[tuple[str, str]]:
    """Lines of a unified diff with a kind per line, for a readable side-by-side-free view."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
    )
    out = []
    for line in lines:
        kind = (
            "meta"
            if line.startswith(("---", "+++", "@@"))
            else "added"
            if line.startswith("+")
            else "removed"
            if line.startswith("-")
            else "same"
        )
        out.append((kind, line))
    return out


def forum_permissions(protocol: Protocol, viewer: Viewer) -> list[dict[str, object]]:
    """For each forum, what this person may do there and, where not, why — straight from the
    engine, so the page shows exactly what the platform will enforce."""
    language = (get_language() or "en")[:2]
    today = timezone.localdate()
    rows: list[dict[str, object]] = []
    for key, forum in protocol.forums.items():
        row: dict[str, object] = {"key": key, "name": forum.name.get(language)}
        for action in ("read", "open_thread", "reply"):
            answer = check_forum(protocol, key, action, viewer, today)
            row[action] = {
                "allowed": answer.allowed,
                "why": " ".join(r.render(gettext, language) for r in answer.reasons),
            }
        rows.append(row)
    return rows
