"""A coordinator election with Bloc STAR and a resignation (OFF-1..4, VOTE-10): candidates stand
for the declared race; the election opens and closes with its window on the calendar; only
citizens with two months' membership vote; the winners take office; a resignation passes the
seat to the next in the result."""

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.decisions.models import Vote
from folkmoot.federation.models import Membership
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import load_protocol
from folkmoot.governance.schedule import election_window
from folkmoot.offices.models import Tenure
from folkmoot.protocols.actions import do_adopt_protocol_version
from tests.decisions.conftest import RedVoting


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_bloc_star_election_then_a_resignation(voting: RedVoting) -> None:
    text = preset_text("red15m").replace(
        "voting_method: top_n          # art. 8.3 the most votes fill the seats",
        "voting_method: bloc_star",
        1,
    )
    do_adopt_protocol_version(assembly=voting.assembly, document=text, actor=None)
    rule = load_protocol(text).offices["coordinator"]
    assert rule.voting_method == "bloc_star" and rule.election is not None
    window = election_window(rule.election, "Europe/Madrid", timezone.now() + timedelta(days=1))
    # Everyone joined long ago (VOTE-10), but for one newcomer.
    Membership.objects.filter(assembly=voting.assembly).update(
        started_at=timezone.now() - timedelta(days=120)
    )
    newcomer = voting.citizens[-1]
    Membership.objects.filter(assembly=voting.assembly, user=newcomer).update(
        started_at=window.opens_at - timedelta(days=10)
    )

    candidates = [*voting.citizens[:6], voting.red.drafter]  # seven for five seats
    with time_machine.travel(window.opens_at - timedelta(hours=3)):
        for person in candidates:
            response = _client(person).post(
                f"/assemblies/{voting.assembly.slug}/offices/coordinator/stand/",
                {"statement": "Me"},
            )
            assert response.status_code == 302
        page = _client(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/offices/")
        assert "Vote in this election" not in page.content.decode()

    with time_machine.travel(window.opens_at + timedelta(hours=1)):
        page = _client(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/offices/")
        assert "Vote in this election" in page.content.decode()
        vote = Vote.objects.get(office__slug="coordinator")
        assert vote.method == "bloc-star" and vote.seats == 5 and len(vote.options) == 7
        assert not vote.electorate.filter(person=newcomer).exists()
        refused = _client(newcomer).get(f"/votes/{vote.pk}/").content.decode()
        assert "not in the electorate of this vote" in refused
        # The offices page asks to vote only those who may; others find the election's page.
        theirs = _client(newcomer).get(f"/assemblies/{voting.assembly.slug}/offices/")
        assert "Vote in this election" not in theirs.content.decode()
        assert "The election's page" in theirs.content.decode()
        # Scores: the first five win, then the sixth, then the drafter (last): the fifth,
        # sixth and seventh are strictly apart, so no lot decides who gets or inherits a seat.
        names = vote.options
        order = [c.display_name for c in candidates]
        scores = [5, 5, 4, 4, 3, 1, 0]
        voters = [*voting.coordinators, *voting.citizens[:5]]
        for voter in voters:
            form = {
                f"score-{names.index(name)}": str(score)
                for name, score in zip(order, scores, strict=True)
            }
            cast = _client(voter).post(f"/votes/{vote.pk}/ballot/", form)
            assert "Your ballot is cast." in cast.content.decode()

    with time_machine.travel(window.closes_at + timedelta(minutes=5)):
        page = _client(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/offices/")
        text_page = page.content.decode()
        holders = set(
            Tenure.objects.current()
            .filter(office__slug="coordinator", office__assembly=voting.assembly)
            .values_list("holder__display_name", flat=True)
        )
        assert holders == set(order[:5])
        for name in order[:5]:
            assert f"<strong>{name}</strong>" in text_page
        # The old coordinators left office at the close.
        assert not Tenure.objects.current().filter(holder=voting.coordinators[1]).exists()
        result_page = Client().get(f"/votes/{vote.pk}/").content.decode()
        assert "Winners:" in result_page and 'data-kind="runoff"' in result_page

        # A winner resigns: the sixth in the result takes the seat (OFF-4).
        resigning = candidates[0]
        done = _client(resigning).post(
            f"/assemblies/{voting.assembly.slug}/offices/coordinator/resign/", follow=True
        )
        assert f"{order[5]} takes the seat" in done.content.decode()
        assert Tenure.objects.current().filter(holder=candidates[5]).exists()
        # Through the API: the next resignation passes the seat to the seventh.
        _token, raw = do_create_api_token(user=candidates[1], name="t")
        api = Client().post(
            f"/api/v1/assemblies/{voting.assembly.slug}/offices/coordinator/resign",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert api.json() == {"office": "coordinator", "successor": order[6]}
        # Nobody is left in the result: the next resignation leaves the seat vacant.
        last = _client(candidates[2]).post(
            f"/assemblies/{voting.assembly.slug}/offices/coordinator/resign/", follow=True
        )
        assert "the seat is vacant" in last.content.decode()
        assert (
            Tenure.objects.current()
            .filter(office__slug="coordinator", office__assembly=voting.assembly)
            .count()
            == 4
        )


def test_resigning_an_office_you_do_not_hold_is_refused(voting: RedVoting) -> None:
    page = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/offices/coordinator/resign/", follow=True
    )
    assert "You do not hold this office." in page.content.decode()


def test_the_assembly_page_shows_holders_terms_and_vacancies(voting: RedVoting) -> None:
    page = Client().get(f"/assemblies/{voting.assembly.slug}/").content.decode()
    assert 'id="offices-title"' in page
    # Five coordinators hold five seats; the drafter one of three: two vacant.
    assert "Coord 2" in page and "2 vacant seats" in page


def _window(voting: RedVoting) -> Any:
    rule = load_protocol(preset_text("red15m")).offices["coordinator"]
    assert rule.election is not None
    return election_window(rule.election, "Europe/Madrid", timezone.now() + timedelta(days=1))


def test_fewer_candidates_than_seats_are_all_elected(voting: RedVoting) -> None:
    window = _window(voting)
    Membership.objects.filter(assembly=voting.assembly).update(
        started_at=timezone.now() - timedelta(days=120)
    )
    two = voting.citizens[:2]
    with time_machine.travel(window.opens_at - timedelta(hours=3)):
        for person in two:
            _client(person).post(
                f"/assemblies/{voting.assembly.slug}/offices/coordinator/stand/", {"statement": ""}
            )
    with time_machine.travel(window.opens_at + timedelta(hours=1)):
        page = _client(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/offices/")
        assert page.status_code == 200
        vote = Vote.objects.get(office__slug="coordinator")
        assert vote.seats == 2
        # The race is being voted: standing now is refused, in words.
        late = _client(voting.citizens[3]).post(
            f"/assemblies/{voting.assembly.slug}/offices/coordinator/stand/", follow=True
        )
        assert "The election is being voted: candidacies open again when it closes." in (
            late.content.decode()
        )
        for voter in voting.coordinators:
            _client(voter).post(f"/votes/{vote.pk}/ballot/", {"score-0": "5", "score-1": "1"})
    with time_machine.travel(window.closes_at + timedelta(minutes=5)):
        page = _client(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/offices/")
        assert page.status_code == 200
        holders = set(
            Tenure.objects.current()
            .filter(office__slug="coordinator", office__assembly=voting.assembly)
            .values_list("holder_id", flat=True)
        )
        assert holders == {p.pk for p in two}
        # The race has been run: its candidates are no longer listed as standing.
        listed = Client().get(
            f"/api/v1/assemblies/{voting.assembly.slug}/offices/coordinator/candidacies"
        )
        assert listed.json() == []


def test_resigning_twice_at_once_seats_one_successor(voting: RedVoting) -> None:
    from folkmoot.offices.tenures import do_resign
    from folkmoot.refusals import Refused

    tenure = Tenure.objects.current().get(holder=voting.coordinators[0])
    before = Tenure.objects.current().filter(office__slug="coordinator").count()
    do_resign(tenure=tenure, actor=voting.coordinators[0])
    try:
        do_resign(tenure=tenure, actor=voting.coordinators[0])  # the second click
    except Refused as refused:
        assert refused.codes == ["not_a_holder"]
    else:
        raise AssertionError("a second resignation of the same seat was accepted")
    # No election result to pass the seat on: one seat fewer, once.
    assert Tenure.objects.current().filter(office__slug="coordinator").count() == before - 1


def test_a_candidacy_is_withdrawn_through_the_api(voting: RedVoting) -> None:
    window = _window(voting)
    person = voting.citizens[0]
    _token, raw = do_create_api_token(user=person, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    base = f"/api/v1/assemblies/{voting.assembly.slug}/offices/coordinator/candidacies"
    with time_machine.travel(window.opens_at - timedelta(hours=3)):
        stood = Client().post(base, {}, content_type="application/json", **auth)
        assert stood.status_code == 201
        mine = stood.json()["id"]
        other = Client().post(
            f"{base}/{mine}/withdraw",
            **{
                "HTTP_AUTHORIZATION": f"Bearer {do_create_api_token(user=voting.citizens[1], name='t')[1]}"
            },
        )
        assert other.status_code == 404  # only one's own
        done = Client().post(f"{base}/{mine}/withdraw", **auth)
        assert done.status_code == 200 and done.json()["withdrawn_at"] is not None
        assert Client().get(base).json() == []
