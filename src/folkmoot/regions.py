"""Dates follow the reader's language *and* the federation's country (issue 12): English
readers of a US federation read "Dec 4, 2026", of a UK one "4 Dec 2026". The language picks
the format module (`folkmoot.formats`); inside it, a format that differs by country is a
lazy string (`by_country`) that reads the country of the page's federation when it is
formatted, so Django's per-language format cache still holds one object per format.

The page's federation is the first assembly an access function resolves during the request
(`follow`): the assembly, thread, vote or proposal the page is about. Pages about no
assembly (the home page, the notifications) keep the language's own custom. The middleware
forgets the country when the request ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy

# None outside a request (the worker, a shell, a test calling actions): nothing to follow,
# so nothing an action reads there can leak into a later page. UNDECIDED: a request whose
# page has not named its assembly yet.
UNDECIDED = "?"
_country: ContextVar[str | None] = ContextVar("folkmoot_country", default=None)
_known: dict[int, tuple[str, float]] = {}  # assembly id → (federation's country, until)
_SECONDS = 60.0  # a federation that changes its country is read again within a minute
_MOST = 10_000  # entries before the memory is cleared (bounded, whatever the site's size)


def current() -> str:
    value = _country.get()
    return "" if value in (None, UNDECIDED) else str(value)


def by_country(default: str, **variants: str) -> Any:
    """A format string that is `variants[country]` for the page's federation's country, else
    `default`. Django formats dates through `str(format)`, which evaluates it each time."""
    return lazy(lambda: variants.get(current(), default), str)()


def _country_of(assembly_id: int) -> str:
    from folkmoot.federation.models import Assembly

    now = time.monotonic()
    known = _known.get(assembly_id)
    if known is not None and known[1] > now:
        return known[0]
    row = Assembly.objects.filter(pk=assembly_id).values_list("root__country", "country").first()
    country = str((row[0] or row[1]) if row else "")
    if len(_known) >= _MOST:
        _known.clear()
    _known[assembly_id] = (country, now + _SECONDS)
    return country


def follow(assembly: Any) -> None:
    """The page is about `assembly` (an Assembly or its id): its federation's country decides
    the dates, unless an earlier assembly of this request already did."""
    if _country.get() != UNDECIDED or assembly is None:
        return
    loaded = getattr(assembly, "_state", None)
    root = assembly.root if loaded and "root" in loaded.fields_cache else None
    if root is not None:
        country = str(root.country or "")
    elif loaded and not assembly.root_id:
        country = str(assembly.country or "")  # a federation: its own
    else:
        country = _country_of(getattr(assembly, "pk", assembly))
    _country.set(country)


class CountryMiddleware:
    """Each request starts without a country and leaves none behind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _country.set(UNDECIDED)
        try:
            return self.get_response(request)
        finally:
            _country.reset(token)
