"""Sealed office elections (issue 16, VOTE-11, OFF-1..4): a protocol may seal an office's
elections. The election's vote is then prepared `prepare_hours` before its window opens,
with the candidates standing then (candidacies close) and the electorate eligible then; its
guardians make the key and voters register theirs; it opens and closes with its window; the
guardians shuffle and decrypt; the winners take office. An election the protocol seals but
that cannot be (too few guardians, prepared too late) is still held, in the server's secret
ballot box, and its page says why."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.chat.models import ChatMessage
from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import Vote, VoteResult
from folkmoot.federation import actions
from folkmoot.federation.models import Membership
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.governance.schedule import Window, ballot_fixed_at, election_window
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.candidacies import do_stand
from folkmoot.offices.models import Candidacy, Tenure
from folkmoot.offices.tenures import check_resign
from folkmoot.offices.windows import elections_of
from folkmoot.protocols.actions import do_adopt_protocol_version
from folkmoot.refusals import Refused
from folkmoot.sealed import belenios as bel
from folkmoot.sealed.models import SealedElection
from tests.decisions.conftest import RedVoting, build_red_voting
from tests.factories import UserFactory

from .conftest import GuardianDevice, SealedWorld
from .test_sealed_vote import make_key

ZONE = "Europe/Madrid"


@pytest.fixture
def voting(db: None) -> RedVoting:
    """RED15M with four coordinators (the guardians), three drafters (every seat held: no
    by-election) and eight more citizens."""
    red, coordinators = build_red_voting()
    citizens = [UserFactory(display_name=f"Voter {i}") for i in range(7)]
    for person in citizens:
        actions.do_join(user=person, assembly=red.assembly)
    for name in ("Dora", "Dino"):
        drafter = UserFactory(display_name=name)
        actions.do_join(user=drafter, assembly=red.assembly)
        do_appoint(
            assembly=red.assembly, office_slug="drafter", holder=drafter, actor=None, seats=3
        )
    return RedVoting(red, coordinators, [red.citizen, *citizens])


def _protocol(**sealed: Any) -> str:
    """RED15M whose drafters' elections are sealed: an office never guards its own."""
    doc = yaml.safe_load(preset_text("red15m"))
    doc["offices"]["drafter"]["sealed"] = {"prepare_hours": 24, **sealed}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _adopt(voting: RedVoting, **sealed: Any) -> Window:
    """The protocol with sealed drafters' elections; the election that is still ahead three
    days from now (so its 24 hours of preparing have not begun); everyone a member long
    enough to vote (VOTE-10)."""
    text = _protocol(**sealed)
    do_adopt_protocol_version(assembly=voting.assembly, document=text, actor=None)
    Membership.objects.filter(assembly=voting.assembly).update(
        started_at=timezone.now() - timedelta(days=120)
    )
    rule = load_protocol(text).offices["drafter"]
    assert rule.election is not None
    return election_window(rule.election, ZONE, timezone.now() + timedelta(days=3))


def _page(person: Any, path: str) -> str:
    client = Client()
    client.force_login(person)
    return client.get(path).content.decode()


def _stand(voting: RedVoting, person: Any) -> Any:
    client = Client()
    client.force_login(person)
    return client.post(
        f"/assemblies/{voting.assembly.slug}/offices/drafter/stand/",
        {"statement": "Me"},
        follow=True,
    )


def test_the_protocol_says_which_offices_may_be_sealed() -> None:
    protocol = load_protocol(_protocol(guardians="coordinator", threshold=2))
    from folkmoot.governance.render import render_markdown

    shown = render_markdown(protocol)
    assert "Candidacies close when the key is begun, 24 hours before" in shown
    rule = protocol.offices["drafter"]
    assert rule.election is not None
    window = election_window(rule.election, ZONE, timezone.now())
    assert ballot_fixed_at(rule, window) == window.opens_at - timedelta(hours=24)
    assert ballot_fixed_at(protocol.offices["designer"], window) == window.opens_at

    def refused(change: dict[str, Any]) -> list[str]:
        doc = yaml.safe_load(preset_text("red15m"))
        doc["offices"]["drafter"]["sealed"] = change
        with pytest.raises(ProtocolInvalid) as caught:
            load_protocol(yaml.safe_dump(doc, allow_unicode=True))
        return [p.render() for p in caught.value.problems]

    unknown = refused({"guardians": "treasurer"})
    assert any(p.startswith("offices.drafter.sealed.guardians") for p in unknown), unknown
    # Its holders could keep their seats by never opening the ballots.
    own = refused({"guardians": "drafter"})
    assert any("cannot guard its own sealed elections" in p for p in own), own
    # Two days of voting leave five days of a week to prepare in (by-elections come weekly).
    too_long = refused({"guardians": "coordinator", "prepare_hours": 121})
    assert any("at most 120 hours" in p for p in too_long), too_long
    doc = yaml.safe_load(preset_text("harmony"))
    doc["offices"]["secretary"]["elected"] = False
    doc["offices"]["secretary"]["sealed"] = {"guardians": "secretary"}
    with pytest.raises(ProtocolInvalid) as caught:
        load_protocol(yaml.safe_dump(doc, allow_unicode=True))
    assert any("elected on a calendar" in p.render() for p in caught.value.problems)


def test_a_sealed_drafters_election_end_to_end(
    voting: RedVoting, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    window = _adopt(voting, guardians="coordinator", threshold=2)
    slug = voting.assembly.slug
    prepared_at = window.opens_at - timedelta(hours=24)
    candidates = voting.citizens[:6]  # six for three seats
    with time_machine.travel(prepared_at - timedelta(hours=2)):
        for person in candidates:
            assert "You are standing" in _stand(voting, person).content.decode()
        page = _page(voting.red.citizen, f"/assemblies/{slug}/offices/")
        assert "Its ballots are sealed: candidacies close on" in page
        assert not Vote.objects.filter(office__slug="drafter").exists()

    with time_machine.travel(prepared_at + timedelta(minutes=5)):
        with django_capture_on_commit_callbacks(execute=True):
            page = _page(voting.red.citizen, f"/assemblies/{slug}/offices/")
        vote = Vote.objects.get(office__slug="drafter")
        election = SealedElection.objects.get(vote=vote)
        assert vote.sealed_ballots and vote.opens_at == window.opens_at
        assert vote.method == "top-n" and vote.seats == 3 and len(vote.options) == 6
        assert "Sealed election from" in page and "Make your voting key" in page
        assert f"/votes/{vote.pk}/sealed/" in page
        # Someone outside the electorate is not asked for a key, and finds the election.
        outside = _page(voting.red.participant, f"/assemblies/{slug}/offices/")
        assert "Make your voting key" not in outside and "The election's page" in outside
        sealed_page = _page(voting.citizens[6], f"/votes/{vote.pk}/sealed/")
        assert "Election: Drafter" in sealed_page and "voting key" in sealed_page
        home = _page(voting.citizens[6], "/")
        assert "Election: Drafter" in home  # the home page asks for the voting key
        # The four coordinators acting now guard it; any two decrypt.
        assert election.guardians.count() == 4 and election.threshold == 2
        told = Notification.objects.filter(vote=vote)
        assert told.filter(kind="sealed_guardian").count() == 4
        assert told.filter(kind="sealed_register").count() == vote.electorate.count()
        # Not open yet: the rooms hear nothing, and the ballot is fixed, on the page and
        # for a request that read the race before the ballot was made.
        assert not ChatMessage.objects.filter(body__contains=f"/votes/{vote.pk}/").exists()
        late = _stand(voting, voting.citizens[6]).content.decode()
        assert "fixed while its guardians make its key" in late and "You are standing" not in late
        with pytest.raises(Refused) as raced:
            do_stand(
                assembly=voting.assembly,
                office_key="drafter",
                person=voting.citizens[6],
                seats=3,
                election_opens_at=window.opens_at,
                statement="",
            )
        assert raced.value.answer.reasons[0].code == "race_fixed"
        # A candidate's name stays on the ballot made: withdrawing would change nothing.
        page = _page(candidates[0], f"/assemblies/{slug}/offices/")
        mine = page.split('<h2 class="h3">Drafter</h2>')[1].split('<h2 class="h3">')[0]
        assert "Your name is on this election's ballot" in mine
        assert "Withdraw my candidacy" not in mine
        standing = Candidacy.objects.get(person=candidates[0], office__slug="drafter")
        client = Client()
        client.force_login(candidates[0])
        kept = client.post(
            f"/assemblies/{slug}/candidacies/{standing.pk}/withdraw/", follow=True
        ).content.decode()
        assert "your name is on it: it stays there" in kept
        world = SealedWorld(voting.assembly, voting.coordinators, [])
        by_api = world.post(
            candidates[0],
            f"/assemblies/{slug}/offices/drafter/candidacies/{standing.pk}/withdraw",
            {},
        )
        assert by_api.status_code == 403 and by_api.json()["reasons"][0]["code"] == "on_the_ballot"
        standing.refresh_from_db()
        assert standing.withdrawn_at is None
        listed = world.get(voting.red.citizen, f"/assemblies/{slug}/elections").json()
        assert [(e["vote"], e["sealed"]) for e in listed] == [(vote.pk, True)]
        offices = world.get(voting.red.citizen, f"/assemblies/{slug}/offices").json()
        drafter = next(o for o in offices if o["key"] == "drafter")
        assert drafter["election"]["sealed"] is True

        devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(4)]
        for device in devices:
            device.directory.mkdir()
        make_key(world, vote, devices)
        voters = list(vote.electorate.select_related("person"))
        credentials = {}
        for row in voters:
            credential = bel.new_credential()
            public = str(bel.derive_credential(credential, election.uuid)[1])
            answer = world.post(
                row.person, f"/votes/{vote.pk}/sealed/key", {"public_credential": public}
            )
            assert answer.status_code == 201, answer.content
            credentials[row.person_id] = credential

    path = f"/votes/{vote.pk}/sealed"
    rng = random.Random(16)
    marks = {name: 0 for name in vote.options}
    with time_machine.travel(window.opens_at + timedelta(minutes=1)):
        settle_once()  # the worker opens it: the electorate and the rooms hear of it
        assert ChatMessage.objects.filter(body__contains=f"/votes/{vote.pk}/").count() == 1
        # Its key made, a look at the open election writes nothing to it (a write would
        # renew every person's kept agenda, agenda.changes).
        with CaptureQueriesContext(connection) as seen:
            _page(voting.red.citizen, f"/assemblies/{slug}/offices/")
        writes = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("UPDATE")]
        assert not [w for w in writes if '"decisions_vote"' in w], writes
        published = bel.Election.from_json(world.get(None, f"{path}/files/election.json").text)
        for row in voters:
            chosen = rng.sample(range(6), rng.randint(1, 3))  # at most three marks: the seats
            vector = [1 if i in chosen else 0 for i in range(6)]
            for i in chosen:
                marks[vote.options[i]] += 1
            ballot = bel.make_ballot(published, credentials[row.person_id], [vector])
            answer = world.post(row.person, f"{path}/ballots", {"ballot": ballot})
            assert answer.status_code == 201, answer.content

    assert vote.closes_at is not None
    with time_machine.travel(vote.closes_at + timedelta(minutes=1)):
        settle_once()
        # Counted only once the guardians have decrypted: meanwhile the seats it fills are
        # not offered to a by-election, though one of them falls vacant.
        dino = Tenure.objects.get(office__slug="drafter", holder__display_name="Dino").holder
        assert check_resign(dino, voting.assembly, "drafter") is None
        rule = load_protocol(_protocol(guardians="coordinator")).offices["drafter"]
        found = elections_of(voting.assembly, "drafter", rule, ZONE, timezone.now())
        assert found is not None and not found.by_election
        name = f"{election.uuid}.bel"
        for device, person in zip(devices, world.guardians, strict=True):
            archive = world.get(person, f"{path}/files/{name}").content
            assert world.hand_in(person, path, "shuffle", device.shuffle(name, archive)) == ["kept"]
        for index in (1, 3):
            person, device = world.guardians[index], devices[index]
            archive = world.get(person, f"{path}/files/{name}").content
            key = world.get(person, f"{path}/files/decryption-key.json").content
            share = device.decrypt(name, archive, key)
            assert world.hand_in(person, path, "decryption", share) == ["kept"]
        result = VoteResult.objects.get(vote=vote)
        # The three with the most marks win (no ties in this seeded profile), and take office.
        ranked = sorted(marks, key=lambda n: -marks[n])
        assert marks[ranked[2]] > marks[ranked[3]], marks
        assert sorted(result.winners) == sorted(ranked[:3])
        page = _page(voting.red.citizen, f"/assemblies/{slug}/offices/")
        holders = set(
            Tenure.objects.in_office(timezone.now())
            .filter(office__slug="drafter")
            .values_list("holder__display_name", flat=True)
        )
        assert holders == set(ranked[:3])
        assert "Result of the last election" in page


def _prepare(voting: RedVoting, window: Window, at: datetime) -> Vote:
    for person in voting.citizens[:2]:
        with time_machine.travel(window.opens_at - timedelta(hours=30)):
            assert "You are standing" in _stand(voting, person).content.decode()
    with time_machine.travel(at):
        _page(voting.red.citizen, f"/assemblies/{voting.assembly.slug}/offices/")
    return Vote.objects.get(office__slug="drafter")


def test_too_few_guardians_hold_the_election_unsealed_and_say_so(voting: RedVoting) -> None:
    # The designers guard it, and nobody holds that office: no key can be made.
    window = _adopt(voting, guardians="designer")
    vote = _prepare(voting, window, window.opens_at - timedelta(hours=20))
    assert not vote.sealed_ballots and not SealedElection.objects.filter(vote=vote).exists()
    assert "only 0 holders of its guardians' office could act" in vote.description
    why = AuditEvent.objects.get(verb="office.election_unsealed").data
    assert why["why"] == "too_few_guardians"
    with time_machine.travel(window.opens_at - timedelta(hours=19)):
        page = _page(voting.red.citizen, f"/assemblies/{voting.assembly.slug}/offices/")
    assert "Its ballot is made: candidacies are closed." in page
    assert "Make your voting key" not in page and "guardians are making the key" not in page
    # Made a day before its window, it is announced when it opens, not before.
    assert not ChatMessage.objects.filter(body__contains=f"/votes/{vote.pk}/").exists()
    with time_machine.travel(window.opens_at + timedelta(minutes=5)):
        settle_once()
        assert ChatMessage.objects.filter(body__contains=f"/votes/{vote.pk}/").count() == 1
        page = _page(voting.red.citizen, f"/votes/{vote.pk}/")
        assert "was to be sealed" in page and "Your ballot" in page


def test_guardians_who_make_no_key_by_the_opening_do_not_cancel_the_election(
    voting: RedVoting,
) -> None:
    window = _adopt(voting, guardians="coordinator")
    vote = _prepare(voting, window, window.opens_at - timedelta(hours=20))
    assert vote.sealed_ballots  # sealed, and its guardians never make the key
    guardian = voting.coordinators[0]
    with time_machine.travel(window.opens_at - timedelta(hours=1)):
        assert "Your step as a guardian of a sealed vote" in _page(guardian, "/")
    with time_machine.travel(window.opens_at + timedelta(minutes=1)):
        settle_once()
        vote.refresh_from_db()
        assert not vote.sealed_ballots
        assert "did not make the key before it opened" in vote.description
        why = AuditEvent.objects.get(verb="office.election_unsealed").data
        assert why["why"] == "no_key"
        assert "Your step as a guardian of a sealed vote" not in _page(guardian, "/")
        client = Client()
        client.force_login(voting.red.citizen)
        assert client.get(f"/votes/{vote.pk}/sealed/").status_code == 404
        cast = client.post(f"/votes/{vote.pk}/ballot/", {"approve": ["0"]}, follow=True)
        assert "Your ballot is cast." in cast.content.decode()


def test_an_election_prepared_too_late_is_held_unsealed(voting: RedVoting) -> None:
    window = _adopt(voting, guardians="coordinator")
    # The first look comes with under half the 24 hours of preparing left (a worker down).
    vote = _prepare(voting, window, window.opens_at - timedelta(hours=11))
    assert not vote.sealed_ballots
    assert "prepared too late for its guardians to make the key" in vote.description


def test_an_election_nobody_stood_in_is_not_sealed(voting: RedVoting) -> None:
    window = _adopt(voting, guardians="coordinator")
    with time_machine.travel(window.opens_at - timedelta(hours=20)):
        _page(voting.red.citizen, f"/assemblies/{voting.assembly.slug}/offices/")
    vote = Vote.objects.get(office__slug="drafter")
    assert vote.options == [] and not vote.sealed_ballots and vote.description == ""
