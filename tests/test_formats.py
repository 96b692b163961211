"""Issue 12, "Dates follow the locale": English pages read 04/12/2026 and 4 Dec 2026, with a
24-hour clock, never the American month-first order or "p.m."; other languages keep their
own formats."""

from datetime import datetime

from django.utils import formats, translation
from django.utils.timezone import make_aware


def test_english_dates_put_the_day_first_and_use_a_24_hour_clock() -> None:
    moment = make_aware(datetime(2026, 12, 4, 21, 11))
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "04/12/2026"
        assert formats.date_format(moment, "DATE_FORMAT") == "4 Dec 2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "04/12/2026 21:11"
        assert "p.m" not in formats.date_format(moment, "DATETIME_FORMAT")
    with translation.override("fr"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "04/12/2026"
    with translation.override("ja"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "2026/12/04"
