"""Issue 11: the dates of long lists (folkmoot.listdates) read exactly as Django's `date`
filter writes them, in every language the site speaks and across a change of clocks."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from folkmoot import listdates

MOMENTS = [
    datetime(2026, 1, 5, 0, 7, 9, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # an hour before British Summer Time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # its first minute
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),  # already 2027 in no zone shown here
    datetime(999, 7, 4, 9, 5, tzinfo=UTC),
]


@pytest.mark.parametrize("language", ["en", "es", "fr", "ja"])
def test_a_list_date_reads_as_the_date_filter_writes_it(language: str) -> None:
    shown = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        for moment in MOMENTS:
            expected = shown.render(Context({"moment": moment}))
            assert listdates.short_datetime(moment) == expected, (language, moment)


def test_a_format_that_names_months_is_left_to_django(settings: object) -> None:
    """Only numbers are written by the template; a month's name, a weekday, a literal
    escaped with a backslash and braces come out as Django writes them."""
    assert listdates._template("j M Y") is None
    assert listdates._template("D d/m") is None
    moment = datetime(2026, 7, 4, 9, 5, tzinfo=UTC)
    template = listdates._template(r"Y-m-d \a\t H:i {1}")
    assert template is not None
    assert template.format(moment) == "2026-07-04 at 09:05 {1}"
    assert listdates._template("Y年n月j日 G時") is not None
    assert listdates._template("Y年n月j日 G時").format(moment) == "2026年7月4日 9時"  # type: ignore[union-attr]
