"""Moments in long lists, written in the reader's short format (issue 11).

Django's `date_format` reads its format string anew for every moment it writes: about 40
microseconds, most of a thread page's twenty dates or a forum page's twenty-five. A numeric
format such as "d/m/Y H:i" (English, French and Spanish) or "Y/m/d G:i" (Japanese) is turned
here, once per format, into a template of the moment's numbers; a format that names months
or days, or uses any other letter, is left to Django, so what the reader sees is the same."""

from __future__ import annotations

import functools
import string
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format, get_format

# Django's numeric format letters, as str.format fields of a datetime.
_NUMBERS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


@functools.cache
def _template(django_format: str) -> str | None:
    """The format as a str.format template, or None where it needs more than numbers."""
    out: list[str] = []
    escaped = False
    for ch in django_format:
        literal = ch.replace("{", "{{").replace("}", "}}")
        if escaped:
            out.append(literal)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in string.ascii_letters:
            if ch not in _NUMBERS:
                return None
            out.append(_NUMBERS[ch])
        else:
            out.append(literal)
    return "".join(out)


def short_datetime(value: datetime) -> str:
    """As `{{ value|date:"SHORT_DATETIME_FORMAT" }}` writes it, in the active language and
    time zone."""
    local = timezone.localtime(value)
    # As a plain string: a federation's country may lend a lazy format (folkmoot.regions).
    template = _template(str(get_format("SHORT_DATETIME_FORMAT")))
    if template is None:
        return date_format(local, "SHORT_DATETIME_FORMAT")
    return template.format(local)
