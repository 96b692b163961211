"""The part of a page every visitor who is not signed in sees alike, rendered once every few
seconds and shared (issue 11): forum and thread pages are what search engines, links in the
press and curious visitors open, and each used to cost a full render of 25 threads or 50
posts. Signed-in readers never get shared content: what they see depends on who they are
(their reactions, their powers, the forms with their CSRF token).

What is shared is the page's content only, rendered without anyone's data: the header, the
language switcher and the cookie banner (which carry the visitor's CSRF token and consent)
are rendered for each request. The access check runs before, on every request, so nothing
is served to a visitor who may not read it; every visitor who is not signed in has the same
powers. What someone changes shows to visitors at most `ANONYMOUS_SECONDS` later (a reply,
a moderator moving a post to the trash); the person who changed it is signed in and sees it
at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import get_language


def anonymous_content(
    request: HttpRequest, template_name: str, context: Callable[[], dict[str, Any]]
) -> str | None:
    """The rendered `template_name`, from the shared cache when a visitor who is not signed
    in asked for the same address in the same language in the last seconds; `context` is
    only called on a miss. None for a signed-in reader, a request that is not a GET, or when
    sharing is off (`ANONYMOUS_PAGE_SECONDS = 0`): the page renders its content itself."""
    seconds = getattr(settings, "ANONYMOUS_PAGE_SECONDS", 0)
    if seconds <= 0 or request.method != "GET" or request.user.is_authenticated:
        return None
    address = f"{template_name}|{get_language()}|{request.get_full_path()}"
    key = "anonymous-page:" + hashlib.sha256(address.encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        # A SafeString: it stays one through the cache's pickling, so the page prints it as
        # the template rendered it, escaped where the template escaped.
        content = render_to_string(template_name, context(), request)
        # Someone's CSRF token must never be handed to others: such content is not shared.
        if "csrfmiddlewaretoken" not in content:
            cache.set(key, content, seconds)
    return content
