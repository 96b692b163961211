"""Issue 12, "The ballot and the pages, as a person uses them": a STAR ballot explains STAR
in two lines and links to the explanation."""

import html
from datetime import timedelta

from django.utils import timezone

from folkmoot.decisions.models import Eligible, Vote
from tests.conftest import client_for
from tests.decisions.conftest import Harmony


def test_a_star_ballot_explains_star_and_links_to_how_it_works(harmony: Harmony) -> None:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=harmony.assembly,
        kind="star_vote",
        title="Spring campaign",
        method="star",
        options=["Warm homes", "Clean rivers", "Buses"],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )
    ann = harmony.members[0]
    Eligible.objects.create(vote=vote, person=ann)
    page = html.unescape(client_for(ann).get(f"/votes/{vote.pk}/").content.decode())
    assert "automatic runoff" in page
    assert 'href="/help/voting/#star"' in page
    assert client_for(ann).get("/help/voting/").status_code == 200
