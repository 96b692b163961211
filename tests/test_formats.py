"""Issue 12, "Dates follow the locale": English pages read 04/12/2026 and 4 Dec 2026, with a
24-hour clock, never the American month-first order or "p.m."; other languages keep their
own formats."""

from datetime import datetime

import pytest
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


# "…and the federation's country": a page about an assembly reads its federation's custom.


def _vote_in(country: str, slug: str) -> int:
    from folkmoot.decisions.models import Vote
    from tests.factories import make_assembly

    federation = make_assembly(slug, country=country, reference_prefix=slug.upper()[:6])
    city = make_assembly(f"{slug}-city", parent=federation)
    vote = Vote.objects.create(
        assembly=city,
        title="Open a library?",
        method="choice",
        options=["Yes", "No"],
        opens_at=make_aware(datetime(2026, 1, 4, 9, 0)),
        closes_at=make_aware(datetime(2026, 12, 24, 15, 30)),
    )
    return vote.pk


@pytest.mark.django_db
def test_a_page_follows_its_federations_country_in_the_readers_language() -> None:
    from django.test import Client

    us, uk = _vote_in("US", "usa"), _vote_in("GB", "britain")

    def page(vote: int, language: str) -> str:
        client = Client(headers={"accept-language": language})
        return client.get(f"/votes/{vote}/").content.decode()

    american, british = page(us, "en"), page(uk, "en")
    assert "to 12/24/2026 3:30 PM" in american and "24/12/2026" not in american
    assert "to 24/12/2026 15:30" in british and "12/24/2026" not in british
    assert "p.m." not in american + british
    # The language still decides: Spanish readers of the US federation read Spanish dates.
    assert "24/12/2026 15:30" in page(us, "es")
    # Nothing is left behind after a request, and nothing is followed outside one (the
    # worker, a shell): an action called there leaves the next page its own federation.
    from folkmoot import regions
    from folkmoot.federation.actions import access_assembly

    assert regions.current() == ""
    access_assembly(None, "usa")
    assert regions.current() == ""
    assert "to 24/12/2026 15:30" in page(uk, "en")
