"""A protocol amendment that changes a forum permission (PRO-2, FOR-5, BEY-1): a partial
amendment carried by three coordinators and a simple majority adopts the new protocol, and
the forum follows it at once. Changing a forum is decided by a binding Referendum (RED15M
art. 3, issue 15), so the amendment is proposed as one."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.forums.actions import do_open_thread
from folkmoot.governance.presets import preset_text
from folkmoot.protocols.models import ProtocolVersion
from tests.decisions.conftest import RedVoting

OLD = '    reply: platform               # "Escritura: Ciudadanos global"'
NEW = "    reply: citizen"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _amend(voting: RedVoting, document: str, kind: str = "referendum") -> Client:
    citizen = _client(voting.red.citizen)
    response = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": kind,
            "title": "Only citizens reply in Debates",
            "body": "Debates are for citizens.",
            "amendment": "partial",
            "protocol_text": document,
        },
    )
    return response


def test_a_carried_amendment_changes_who_may_reply(voting: RedVoting) -> None:
    thread = do_open_thread(
        assembly=voting.assembly,
        forum_key="debates",
        author=voting.red.citizen,
        title="Parks",
        tag="[DEBATE]",
        body="Let us talk about parks.",
    )
    outsider = _client(voting.red.platform)
    reply_url = f"/assemblies/{voting.assembly.slug}/threads/{thread.pk}/reply/"
    outsider.post(reply_url, {"body": "Hello from outside"})
    assert thread.posts.filter(body="Hello from outside").exists()

    document = preset_text("red15m")
    assert OLD in document
    response = _amend(voting, document.replace(OLD, NEW))
    assert response.status_code == 302, response.content.decode()[:1500]
    proposal = Proposal.objects.get()
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for i, person in enumerate(voting.citizens):
        _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0" if i < 5 else "1", "valid": "1"}
        )
    before = ProtocolVersion.objects.filter(assembly=voting.assembly).count()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        versions = ProtocolVersion.objects.filter(assembly=voting.assembly).order_by("number")
        assert versions.count() == before + 1
        assert versions.last().decision_reference == f"proposal:{proposal.pk}"  # type: ignore[union-attr]
        outsider = _client(voting.red.platform)
        refused = outsider.post(reply_url, {"body": "Hello again"}, follow=True)
        assert "only citizens" in refused.content.decode().lower()
        assert not thread.posts.filter(body="Hello again").exists()
        # Citizens still reply.
        _client(voting.red.citizen).post(reply_url, {"body": "Mine"})
        assert thread.posts.filter(body="Mine").exists()


def test_an_amendment_that_fails_adopts_nothing(voting: RedVoting) -> None:
    _amend(voting, preset_text("red15m").replace(OLD, NEW))
    proposal = Proposal.objects.get()
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for person in voting.citizens[:3]:
        _client(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "1", "valid": "1"})
    before = ProtocolVersion.objects.count()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        Client().get(f"/votes/{vote.pk}/")
        assert ProtocolVersion.objects.count() == before


def test_a_malformed_new_protocol_is_refused_with_its_problems(voting: RedVoting) -> None:
    response = _amend(voting, "protocol: x\nversion: 1\n")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The new protocol:" in page and "title" in page
    assert not Proposal.objects.exists()
    wrong_kind = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "poll",
            "title": "T",
            "body": "B",
            "amendment": "partial",
            "protocol_text": preset_text("red15m"),
        },
    )
    assert "The protocol is not amended by decisions of this kind." in wrong_kind.content.decode()


# Issue 13: "Amending the protocol without writing YAML".


def _form(voting: RedVoting, **extra: object) -> dict[str, object]:
    """The amendment form as the page sends it, with Debates' replies left to citizens."""
    from folkmoot.governance.editing import values_of
    from folkmoot.protocols.selectors import protocol_in_force

    values = values_of(protocol_in_force(voting.assembly).protocol)  # type: ignore[union-attr]
    data: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "1"
        else:
            data[name] = "" if value is None else str(value)
    data["forum.debates.reply"] = ["citizen"]
    data.update(extra)
    return data


def test_a_citizen_amends_who_may_reply_through_the_form_and_it_is_carried(
    voting: RedVoting,
) -> None:
    url = f"/assemblies/{voting.assembly.slug}/protocol/amend/"
    citizen = _client(voting.red.citizen)
    form = citizen.get(url).content.decode()
    assert 'name="forum.debates.reply"' in form and "Show what changes" in form
    # The proposal form no longer offers the YAML box to someone who may not amend.
    new = _client(voting.red.participant).get(f"/assemblies/{voting.assembly.slug}/decisions/new/")
    assert "protocol_text" not in new.content.decode()
    assert _client(voting.red.participant).get(url).status_code == 403

    preview = citizen.post(url, _form(voting))
    text = preview.content.decode()
    assert preview.status_code == 200 and "What changes" in text
    assert not Proposal.objects.exists()  # a preview proposes nothing
    diff = text.split("What changes")[1].split("Propose it")[0]
    assert '<th scope="row">Debates</th>' in diff
    assert "Reply: everyone signed in on the platform" in diff
    assert "Reply: citizens (members) of the assembly" in diff
    # Art. 3: the page says where a change of forums goes, and offers that kind.
    assert "Creating, changing or deleting forums is decided by Referendum" in text
    assert "Partial amendment — Referendum" in text
    done = citizen.post(
        url,
        _form(
            voting,
            propose="1",
            which="partial",
            title="Only citizens reply in Debates",
            body="Debates are for citizens.",
        ),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert proposal.amendment == "partial" and "reply:" in proposal.protocol_text
    assert proposal.kind == "referendum"

    thread = do_open_thread(
        assembly=voting.assembly,
        forum_key="debates",
        author=voting.red.citizen,
        title="Parks",
        tag="[DEBATE]",
        body="Let us talk about parks.",
    )
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for i, person in enumerate(voting.citizens):
        _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0" if i < 5 else "1", "valid": "1"}
        )
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        reply_url = f"/assemblies/{voting.assembly.slug}/threads/{thread.pk}/reply/"
        _client(voting.red.platform).post(reply_url, {"body": "Hello from outside"})
        assert not thread.posts.filter(body="Hello from outside").exists()


def test_the_amendment_form_refuses_what_is_wrong_and_changes_nothing(voting: RedVoting) -> None:
    url = f"/assemblies/{voting.assembly.slug}/protocol/amend/"
    citizen = _client(voting.red.citizen)
    same = citizen.post(url, _form(voting, **{"forum.debates.reply": ["platform"]}))
    assert same.status_code == 400 and "Change at least one rule first." in same.content.decode()
    bad = citizen.post(url, _form(voting, **{"office.coordinator.seats": "five"}))
    assert bad.status_code == 400 and "“five” is not a number" in bad.content.decode()
    for odd in ("inf", "nan", "1e999"):
        endless = citizen.post(url, _form(voting, **{"office.coordinator.seats": odd}))
        assert endless.status_code == 400 and "is not a number" in endless.content.decode()
    nobody = citizen.post(url, _form(voting, **{"forum.debates.reply": []}))
    assert nobody.status_code == 400 and "forums.debates.reply" in nobody.content.decode()
    assert not Proposal.objects.exists()


# Issue 15: a partial amendment is proposed as the kind its changes need (art. 3, art. 8.6).

SEATS_OLD = "    seats: 5 "
SEATS_NEW = "    seats: 7 "


def _api_propose(voting: RedVoting, kind: str, document: str) -> object:
    import json

    from tests.api.test_assemblies_api import bearer

    return Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        json.dumps(
            {
                "kind": kind,
                "title": "A change of rules",
                "body": "Why it is better.",
                "amendment": "partial",
                "protocol_text": document,
            }
        ),
        content_type="application/json",
        **bearer(voting.red.citizen),
    )


def test_a_change_of_forums_or_seats_goes_to_the_referendum_the_protocol_names(
    voting: RedVoting,
) -> None:
    """FOR-5 (art. 3): a partial amendment that touches forums is refused as an ordinary
    amendment, with the reason; OFF-5 (art. 8.6): so is one that changes an office's seats,
    which goes to the Referendum on offices. A kind reserved for those carries nothing else,
    and a change needing two kinds is split."""
    forums = preset_text("red15m").replace(OLD, NEW)
    refused = _api_propose(voting, "amendment", forums)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "Creating, changing or deleting forums is decided by Referendum" in (
        refused.content.decode()  # type: ignore[attr-defined]
    )
    page = _amend(voting, forums, kind="amendment")
    assert "Creating, changing or deleting forums is decided by Referendum" in (
        page.content.decode()  # type: ignore[attr-defined]
    )

    document = preset_text("red15m")
    assert document.count(SEATS_OLD) == 1  # the coordinators'
    seats = document.replace(SEATS_OLD, SEATS_NEW)
    wrong = _api_propose(voting, "amendment", seats)
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    assert "Changing the seats or the term of coordinators is decided by Referendum on offices" in (
        wrong.content.decode()  # type: ignore[attr-defined]
    )
    both = _api_propose(voting, "office_referendum", seats.replace(OLD, NEW))
    assert both.status_code == 403  # type: ignore[attr-defined]
    assert "Creating, changing or deleting forums is decided by Referendum" in (
        both.content.decode()  # type: ignore[attr-defined]
    )
    other = document.replace("  off_protocol_bounce: 0.5", "  off_protocol_bounce: 0.25")
    assert other != document
    reserved = _api_propose(voting, "office_referendum", other)
    assert reserved.status_code == 403  # type: ignore[attr-defined]
    assert "changes only what the protocol reserves for it" in (
        reserved.content.decode()  # type: ignore[attr-defined]
    )
    assert not Proposal.objects.exists()

    # A change of forums with another rule in it is split: the urgent path would otherwise put
    # the other rule in force before its vote (art. 3 is about forums only).
    mixed = forums.replace("  off_protocol_bounce: 0.5", "  off_protocol_bounce: 0.25")
    split = _api_propose(voting, "referendum", mixed)
    assert split.status_code == 403  # type: ignore[attr-defined]
    assert "changes only what the protocol reserves for it" in split.content.decode()  # type: ignore[attr-defined]
    # Art. 8.6 "periodos electorales": the election calendar is a term too.
    calendar = document.replace("every_days: 35", "every_days: 42", 1)
    assert calendar != document
    moved = _api_propose(voting, "amendment", calendar)
    assert moved.status_code == 403  # type: ignore[attr-defined]
    assert "is decided by Referendum on offices" in moved.content.decode()  # type: ignore[attr-defined]

    made = _api_propose(voting, "office_referendum", seats)
    assert made.status_code == 201, made.content  # type: ignore[attr-defined]
    assert Proposal.objects.get().kind == "office_referendum"
    # The form routes the same change there by itself.
    url = f"/assemblies/{voting.assembly.slug}/protocol/amend/"
    preview = _client(voting.red.citizen).post(
        url, _form(voting, **{"forum.debates.reply": ["platform"], "office.coordinator.seats": "7"})
    )
    text = preview.content.decode()
    assert "Partial amendment — Referendum on offices" in text
    assert "Changing the seats or the term of coordinators is decided by" in text


BOUNCE = "  off_protocol_bounce: 0.5"
WINDOW = "  endorsement_window_hours: 48"


def _carry_in_turn(voting: RedVoting, first: str, second: str) -> list[Proposal]:
    """Two partial amendments proposed against the same version, carried, and settled in
    turn: the first's vote is read first."""
    for document in (first, second):
        made = _amend(voting, document, kind="amendment")
        assert made.status_code == 302, made.content.decode()[:1500]  # type: ignore[attr-defined]
    proposals = list(Proposal.objects.order_by("pk"))
    for proposal in proposals:
        for coordinator in voting.coordinators[:3]:
            _client(coordinator).post(
                f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
            )
        _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
        _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    votes = list(Vote.objects.order_by("pk"))
    assert len(votes) == 2
    for vote in votes:
        for person in voting.citizens[:4]:
            _client(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        for vote in votes:
            assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
    return proposals


def test_the_latest_amendment_prevails_and_keeps_what_the_earlier_one_changed(
    voting: RedVoting,
) -> None:
    """Preamble ¶3 (`latest_referendum_prevails`): the second amendment, written before the
    first was adopted, does not undo it; where both changed a rule, the later wins."""
    from folkmoot.protocols.selectors import protocol_in_force

    document = preset_text("red15m")
    first = document.replace(BOUNCE, "  off_protocol_bounce: 0.25")
    second = document.replace(WINDOW, "  endorsement_window_hours: 72").replace(
        BOUNCE, "  off_protocol_bounce: 0.75"
    )
    before = ProtocolVersion.objects.filter(assembly=voting.assembly).count()
    _carry_in_turn(voting, first, second)
    assert ProtocolVersion.objects.filter(assembly=voting.assembly).count() == before + 2
    with time_machine.travel(timezone.now() + timedelta(days=8)):  # adopted at the close
        sanctions = protocol_in_force(voting.assembly).protocol.sanctions  # type: ignore[union-attr]
    assert sanctions is not None
    assert sanctions.endorsement_window_hours == 72  # the second's own change
    assert sanctions.off_protocol_bounce == 0.75  # both changed it: the latest prevails


def test_a_protocol_that_keeps_the_earlier_decision_adopts_no_conflicting_amendment(
    voting: RedVoting,
) -> None:
    """Without `latest_referendum_prevails`, an amendment that changes a rule changed by
    another since it was proposed is not adopted, and its thread says why."""
    from folkmoot.protocols.actions import do_adopt_protocol_version
    from folkmoot.protocols.selectors import protocol_in_force

    keeps = preset_text("red15m").replace(
        "  latest_referendum_prevails: true", "  latest_referendum_prevails: false"
    )
    do_adopt_protocol_version(assembly=voting.assembly, document=keeps, actor=None)
    first = keeps.replace(BOUNCE, "  off_protocol_bounce: 0.25")
    second = keeps.replace(BOUNCE, "  off_protocol_bounce: 0.75")
    proposals = _carry_in_turn(voting, first, second)
    with time_machine.travel(timezone.now() + timedelta(days=8)):  # adopted at the close
        sanctions = protocol_in_force(voting.assembly).protocol.sanctions  # type: ignore[union-attr]
    assert sanctions is not None and sanctions.off_protocol_bounce == 0.25
    thread = proposals[1].thread
    assert thread is not None
    said = thread.posts.filter(body__startswith="The amendment is not adopted").get().body
    assert "Another amendment changed the same rules since this one was proposed" in said
    assert "sanctions.off_protocol_bounce" in said


def test_an_assembly_seals_its_referendums_and_elections_through_the_form(
    voting: RedVoting,
) -> None:
    """Issue 16: whether a kind's votes or an office's elections are sealed, and which office
    guards them, is the protocol's, amended like any rule (PRO-2)."""
    url = f"/assemblies/{voting.assembly.slug}/protocol/amend/"
    citizen = _client(voting.red.citizen)
    form = citizen.get(url).content.decode()
    assert 'name="kind.referendum.sealed"' in form and 'name="office.coordinator.sealed"' in form
    assert "Sealed elections, guarded by" in form and "Not sealed" in form
    unchanged = {"forum.debates.reply": ["platform"]}
    sealing = {
        **unchanged,
        "kind.referendum.sealed": "coordinator",
        "office.drafter.sealed": "coordinator",
    }
    preview = citizen.post(url, _form(voting, **sealing))
    text = preview.content.decode()
    assert preview.status_code == 200, text[:3000]
    diff = text.split("What changes")[1].split("Propose it")[0]
    assert "Sealed ballots: sealed on each voter&#x27;s device, opened only by a majority" in diff
    assert "Candidacies close when the key is begun, 48 hours before" in diff
    # What cannot work is refused, naming the rule, and proposes nothing.
    public = citizen.post(url, _form(voting, **unchanged, **{"kind.poll.sealed": "coordinator"}))
    assert public.status_code == 400 and "a sealed vote must be secret" in public.content.decode()
    unknown = citizen.post(url, _form(voting, **unchanged, **{"kind.referendum.sealed": "king"}))
    assert unknown.status_code == 400
    assert "decision_kinds.referendum.sealed.guardians" in unknown.content.decode()
    assert not Proposal.objects.exists()

    done = citizen.post(
        url,
        _form(voting, **sealing, propose="1", which="partial", title="Seal", body="Secrecy."),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    from folkmoot.governance.protocol import load_protocol

    proposed = load_protocol(Proposal.objects.get().protocol_text)
    referendum, drafter = proposed.decision_kinds["referendum"], proposed.offices["drafter"]
    assert referendum.sealed is not None and referendum.sealed.guardians == "coordinator"
    assert drafter.sealed is not None and drafter.sealed.prepare_hours == 48
    assert proposed.decision_kinds["proposal"].sealed is None
