"""A protocol amendment that changes a forum permission (PRO-2, FOR-5, BEY-1): a partial
amendment carried by three coordinators and a simple majority adopts the new protocol, and
the forum follows it at once."""

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


def _amend(voting: RedVoting, document: str) -> Client:
    citizen = _client(voting.red.citizen)
    response = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "amendment",
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
