"""`{% link 'name' 'arg' %}`: `{% url %}` for the links every page carries (the header's and
the footer's), reversed once per process instead of on every request (issue 11: sixteen
reversals were a quarter of the layout's rendering). An address depends only on the view's
name, its arguments, the URL configuration and the script prefix, which are all the key."""

from __future__ import annotations

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=512)
def _reversed(prefix: str, urlconf: str | None, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, urlconf=urlconf, args=args)


@register.simple_tag
def link(name: str, *args: str) -> str:
    urlconf = get_urlconf()
    return _reversed(get_script_prefix(), urlconf if isinstance(urlconf, str) else None, name, args)
