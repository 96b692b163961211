"""The RED15M referendum path end to end in the browser's HTML (VOTE-3..5, VOTE-8, VOTE-9,
VOTE-11, BEY-2, ASM-5): proposal → 3 coordinator +1s → drafting approval → launch → secret
voting with the validity question → more than 60 % → Approved."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import (
    Ballot,
    BoxedBallot,
    Participation,
    Proposal,
    RegisterEntry,
    Vote,
)
from folkmoot.forums.models import Thread
from tests.decisions.conftest import RedVoting, shown_code


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _propose(voting: RedVoting, **extra: str) -> Proposal:
    response = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": "Open a library?", "body": "A *public* library.", **extra},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Proposal.objects.get()


def _support_and_approve(voting: RedVoting, proposal: Proposal) -> None:
    for coordinator in voting.coordinators[:3]:
        response = _client(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
        assert response.status_code == 302
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")


def test_referendum_from_proposal_to_approved(voting: RedVoting) -> None:
    proposal = _propose(voting)
    # VOTE-3: the proposal is debated in the Votes forum under its tag.
    thread = Thread.objects.get(pk=proposal.thread_id)
    assert (thread.forum_key, thread.tag) == ("votes", "[PROPUESTA-REFERENDUM]")
    # The thread leads back to the proposal and says where it stands (issue 12).
    debate = _client(voting.red.citizen).get(
        f"/assemblies/{voting.assembly.slug}/threads/{thread.pk}/"
    )
    shown = debate.content.decode()
    assert "This thread debates a proposal." in shown
    assert f'href="/decisions/{proposal.pk}/"' in shown and "<strong>Debate" in shown

    page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
    assert 'data-stage="debate"' in page
    assert "0 of 3 supports from coordinators." in page
    assert "The debate period ends on" in page

    coordinator = _client(voting.coordinators[0])
    too_soon = coordinator.post(f"/decisions/{proposal.pk}/launch/", {"days": "7"}, follow=True)
    assert "0 of 3 supports from coordinators." in too_soon.content.decode()
    assert not Vote.objects.exists()

    for n, person in enumerate(voting.coordinators[:3], start=1):
        _client(person).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
        shown = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
        assert f"<strong>{n} / 3</strong>" in shown
    # Supported: the debate ends early (VOTE-4); the text now waits for a drafter (OFF-2).
    page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
    assert 'data-stage="drafting"' in page
    assert "0 of 1 approvals of the text from drafters." in page

    # A coordinator cannot approve the text; a drafter can.
    refused = coordinator.post(f"/decisions/{proposal.pk}/approve/", follow=True)
    assert "Only drafters may approve the text of: Referendum." in refused.content.decode()
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    assert 'data-stage="ready"' in coordinator.get(f"/decisions/{proposal.pk}/").content.decode()

    # A citizen cannot launch; the vote lasts what the kind allows (7 days, VOTE-4).
    citizen_launch = _client(voting.red.citizen).post(
        f"/decisions/{proposal.pk}/launch/", {"days": "7"}, follow=True
    )
    assert "Only coordinators may launch: Referendum." in citizen_launch.content.decode()
    too_long = coordinator.post(f"/decisions/{proposal.pk}/launch/", {"days": "9"}, follow=True)
    assert "at most 7 days" in too_long.content.decode()
    launched = coordinator.post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    assert launched.headers["Location"] == f"/votes/{vote.pk}/"
    assert vote.secret and vote.ask_validity and vote.kind == "referendum"
    # VOTE-5: citizens only — the participant and the platform user are not in the electorate.
    electorate = set(vote.electorate.values_list("person__display_name", flat=True))
    assert "Cita" in electorate and "Parti" not in electorate and "Pat" not in electorate

    check_codes = []
    for i, person in enumerate(voting.citizens):
        client = _client(person)
        form = client.get(f"/votes/{vote.pk}/").content.decode()
        assert "Is this vote valid?" in form
        choice = "0" if i < 5 else "1"  # 5 Yes, 2 No: 71 % > 60 %
        response = client.post(f"/votes/{vote.pk}/ballot/", {"choice": choice, "valid": "1"})
        page = response.content.decode()
        assert "Your ballot is cast." in page
        # A way back, and onwards, from the codes (issue 12).
        assert f'href="/assemblies/{voting.assembly.slug}/decisions/"' in page
        assert "What else needs you" in page
        check_codes.append(shown_code(page, "check"))
    # VOTE-8: the validity question must be answered.
    missing = _client(voting.coordinators[0]).post(
        f"/votes/{vote.pk}/ballot/", {"choice": "0"}, follow=True
    )
    assert "Say whether you hold this vote valid or null." in missing.content.decode()
    # VOTE-11: ballots carry no voter; participation is separate. While the vote is open the
    # ballots wait in the box; none is counted yet.
    assert BoxedBallot.objects.filter(vote=vote).count() == 7
    assert not Ballot.objects.filter(vote=vote).exists()
    assert Participation.objects.filter(vote=vote).count() == 7
    # Results stay hidden until the close.
    assert (
        "Results are shown when voting closes."
        in _client(voting.red.citizen).get(f"/votes/{vote.pk}/").content.decode()
    )

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = Client().get(f"/votes/{vote.pk}/").content.decode()
        assert 'data-outcome="carried"' in page
        assert "Winners: Yes" in page
        assert "An option is carried with more than 60% of the counted votes." in page
        # The box is opened at the close: every ballot counted, none left boxed.
        assert Ballot.objects.filter(vote=vote, voter__isnull=True).count() == 7
        assert not BoxedBallot.objects.filter(vote=vote).exists()
        # BEY-2: a check code finds its ballot in the published list (sent in the body, not
        # the address); anyone can download all.
        found = Client().post(f"/votes/{vote.pk}/check/", {"code": check_codes[0]})
        assert "was counted" in found.content.decode()
        csv_text = Client().get(f"/votes/{vote.pk}/ballots.csv").content.decode()
        assert all(r in csv_text for r in check_codes)
        assert len(csv_text.strip().splitlines()) == 8
        # ASM-5: in the consensus register; RED15M publishes it in Approved.
        entry = RegisterEntry.objects.get()
        assert (entry.outcome, entry.winners) == ("carried", ["Yes"])
        assert "Open a library?" in Client().get("/register/").content.decode()
        assert Thread.objects.filter(forum_key="approved", title="Open a library?").exists()
        assert 'data-stage="closed"' in Client().get(f"/decisions/{proposal.pk}/").content.decode()


def test_only_the_change_code_changes_a_ballot_and_only_for_its_voter(
    voting: RedVoting,
) -> None:
    """Issue 10 §3: the private change code changes the ballot it was given for, only in
    the hands of its voter; the public check code, and anyone else's change code, change
    nothing."""
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    voter = _client(voting.red.citizen)
    first = voter.post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"}).content.decode()
    check, change = shown_code(first, "check"), shown_code(first, "change")
    assert check and change and check != change
    other = _client(voting.citizens[1])
    other_page = other.post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    other_change = shown_code(other_page.content.decode(), "change")

    again = voter.post(f"/votes/{vote.pk}/ballot/", {"choice": "1", "valid": "1"}, follow=True)
    assert "give the change code you were shown" in again.content.decode()
    for wrong in ("NOTAREALCODE", check, other_change):
        refused = voter.post(
            f"/votes/{vote.pk}/ballot/", {"choice": "1", "valid": "1", "change_code": wrong}
        )
        assert "That is not the change code of your ballot." in refused.content.decode()
    # Another voter holding this voter's codes changes nothing either.
    for stolen in (check, change):
        refused = other.post(
            f"/votes/{vote.pk}/ballot/", {"choice": "1", "valid": "0", "change_code": stolen}
        )
        assert "That is not the change code of your ballot." in refused.content.decode()
    assert sorted(BoxedBallot.objects.filter(vote=vote).values_list("marks", "valid")) == [
        ("0", True),
        ("0", True),
    ]
    changed = voter.post(
        f"/votes/{vote.pk}/ballot/",
        {"choice": "1", "valid": "0", "change_code": change.lower().replace("-", " ")},
    )
    assert "Your ballot is changed." in changed.content.decode()
    ballot = BoxedBallot.objects.get(vote=vote, check_code=check.replace("-", ""))
    assert (ballot.marks, ballot.valid) == ("1", False)
    assert Participation.objects.filter(vote=vote).count() == 2
    # Nothing stored holds the change code itself.
    assert not BoxedBallot.objects.filter(change_hash__contains=change.replace("-", "")).exists()


def test_those_outside_the_electorate_and_the_sanctioned_cannot_vote(voting: RedVoting) -> None:
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for person, reason in (
        (voting.red.participant, "not in the electorate of this vote"),
        (voting.red.platform, "not in the electorate of this vote"),
        (voting.red.sanctioned, "sanction"),
    ):
        page = _client(person).get(f"/votes/{vote.pk}/").content.decode()
        assert "Cast my ballot" not in page
        refused = _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"}, follow=True
        )
        assert reason in refused.content.decode().lower() or reason in refused.content.decode()
    assert not Ballot.objects.exists()


def test_a_vote_held_null_by_more_than_half_is_void(voting: RedVoting) -> None:
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for i, person in enumerate(voting.citizens[:5]):
        _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "0" if i < 3 else "1"}
        )
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = Client().get(f"/votes/{vote.pk}/").content.decode()
        assert 'data-outcome="void"' in page
        assert "Void: 3 of 5 voters hold the vote null" in page
        assert not Thread.objects.filter(forum_key="approved").exists()


def test_the_proposer_withdraws_and_coordination_must_say_why(voting: RedVoting) -> None:
    proposal = _propose(voting)
    no_reason = _client(voting.coordinators[0]).post(
        f"/decisions/{proposal.pk}/withdraw/", {"reason": ""}, follow=True
    )
    assert "Say why the proposal is withdrawn." in no_reason.content.decode()
    _client(voting.red.citizen).post(f"/decisions/{proposal.pk}/withdraw/", {"reason": ""})
    proposal.refresh_from_db()
    assert proposal.withdrawn_at is not None
    page = Client().get(f"/decisions/{proposal.pk}/").content.decode()
    assert 'data-stage="withdrawn"' in page


def test_a_bad_proposal_names_every_problem_and_stores_nothing(voting: RedVoting) -> None:
    response = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": " ", "body": "", "options": "Same\nSame"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    for text in (
        "Give the proposal a question or title.",
        "Write the text of the proposal.",
        "Each option must be different.",
    ):
        assert text in page
    participant = _client(voting.red.participant).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": "T", "body": "B"},
    )
    assert (
        "Only citizens (members) of the assembly may propose: Referendum."
        in participant.content.decode()
    )
    assert not Proposal.objects.exists() and not Thread.objects.exists()


def test_an_urgent_referendum_needs_an_event_less_than_72_hours_away(voting: RedVoting) -> None:
    later = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": "T", "body": "B", "urgent": "1", "event_at": later},
    )
    assert "Only an event less than 72 hours away makes a vote urgent." in response.content.decode()
    soon = (timezone.localtime() + timedelta(hours=60)).strftime("%Y-%m-%dT%H:%M")
    _propose(voting, urgent="1", event_at=soon)
    proposal = Proposal.objects.get()
    assert proposal.urgent
    _support_and_approve(voting, proposal)
    # VOTE-6: urgent referendums vote for at most 5 days, and need no 3-day minimum.
    coordinator = _client(voting.coordinators[0])
    assert (
        "at most 5 days"
        in coordinator.post(
            f"/decisions/{proposal.pk}/launch/", {"days": "6"}, follow=True
        ).content.decode()
    )
    coordinator.post(f"/decisions/{proposal.pk}/launch/", {"days": "2"})
    vote = Vote.objects.get()
    assert vote.closes_at is not None and vote.opens_at is not None
    assert vote.closes_at - vote.opens_at == timedelta(days=2)


def test_the_electorate_page_says_who_may_vote_and_why(voting: RedVoting) -> None:
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    page = Client().get(f"/votes/{vote.pk}/electorate/").content.decode()
    assert "Who may vote: <strong>citizens (members) of the assembly</strong>" in page
    assert "Voter 3" in page and "Pat" not in page and "Parti" not in page
    count = vote.electorate.count()
    assert f"{count} people could vote" in page


def test_launching_with_days_that_are_not_a_number_is_refused(voting: RedVoting) -> None:
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    page = _client(voting.coordinators[0]).post(
        f"/decisions/{proposal.pk}/launch/", {"days": "seven"}, follow=True
    )
    assert "Voting days must be a number." in page.content.decode()
    assert not Vote.objects.exists()
