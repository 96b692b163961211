"""VOTE-14 (issue 15, "Improving a text before it is decided"): members propose amendments to
a proposal's text during its debate, shown as a diff; the proposer accepts (a new version)
or rejects each with a reason; a rejected amendment that enough members support goes to the
vote as a competing option, and the result names the text it adopts. Through the pages and
the API, as each person would."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.amendments.models import ProposalVersion, TextAmendment
from folkmoot.decisions.models import DraftingApproval, Proposal, Vote
from folkmoot.forums.models import Post
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, RedVoting

TEXT = "We hold a camp in July.\n\nEveryone brings a tent and food for three days."


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _poll(voting: RedVoting, body: str = TEXT) -> Proposal:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "poll", "title": "A summer camp?", "body": body, "simple_question": "1"},
    )
    assert made.status_code == 302, _text(made)[:2000]
    return Proposal.objects.get()


def _api(user: Any, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **bearer(user)
    )


def test_a_member_amends_the_text_and_the_proposer_accepts_it_into_a_new_version(
    voting: RedVoting,
) -> None:
    proposal = _poll(voting)
    proposer, member = voting.red.citizen, voting.citizens[1]
    page = _text(client_for(member).get(f"/decisions/{proposal.pk}/"))
    assert "Amendments to the text" in page and "Propose an amendment" in page

    sent = client_for(member).post(
        f"/decisions/{proposal.pk}/amendments/",
        {"passage": "in July", "replacement": "in August", "why": "July is too hot."},
        follow=True,
    )
    assert "Amendment 1 is proposed: the proposer accepts or rejects it." in _text(sent)
    amendment = TextAmendment.objects.get()
    told = Notification.objects.get(user=proposer, kind="text_amendment")
    assert told.actor == member
    page = _text(client_for(proposer).get(f"/decisions/{proposal.pk}/"))
    # The change is shown word by word; the proposer has the answer form.
    assert "<del>July</del><ins>August</ins>" in page
    assert "Accept: change the text" in page and "July is too hot." in page
    notices = _text(client_for(proposer).get("/notifications/"))
    assert "proposes amendment 1 to the text of “A summer camp?”: accept or reject it." in notices
    # The proposer's home page says what waits for them, as the API's agenda does.
    home = _text(client_for(proposer).get("/"))
    assert "An amendment to your proposal waits for your answer" in home
    agenda = Client().get("/api/v1/me/agenda", **bearer(proposer)).json()
    assert "amendments" in [i["kind"] for i in agenda["items"]]

    # Nobody but the proposer answers it; nothing changes.
    refused = client_for(voting.citizens[2]).post(
        f"/amendments/{amendment.pk}/answer/", {"accept": "1"}, follow=True
    )
    assert "Only the proposer accepts or rejects amendments." in _text(refused)
    proposal.refresh_from_db()
    assert proposal.body == TEXT

    accepted = client_for(proposer).post(
        f"/amendments/{amendment.pk}/answer/", {"accept": "1", "reason": "Fair."}, follow=True
    )
    assert "Amendment 1 is accepted: the text has a new version." in _text(accepted)
    assert "waits for your answer" not in _text(client_for(proposer).get("/"))
    proposal.refresh_from_db()
    assert "We hold a camp in August." in proposal.body
    assert "in August" in proposal.body_html
    assert list(ProposalVersion.objects.values_list("number", flat=True)) == [1, 2]
    # The debate hears of it, and the author is told.
    reply = Post.objects.filter(thread=proposal.thread).order_by("-created_at", "-id").first()
    assert reply is not None and "version 2 (amendment 1)" in reply.body
    assert Notification.objects.filter(user=member, kind="amendment_answered").exists()

    versions = _text(Client().get(f"/decisions/{proposal.pk}/versions/"))
    assert "Version 2" in versions and "Version 1" in versions
    assert "Made by amendment 1, by" in versions and "<del>July</del><ins>August</ins>" in versions
    api = Client().get(f"/api/v1/proposals/{proposal.pk}/versions").json()
    assert [v["number"] for v in api] == [1, 2]
    assert {"op": "added", "text": "August"} in api[1]["diff"]

    # PRIV-2: the author's data holds what they wrote, with the answer.
    mine = Client().get("/api/v1/me/data", **bearer(member)).json()["text_amendments"]
    assert [(a["replacement"], a["accepted"], a["answer"]) for a in mine] == [
        ("in August", True, "Fair.")
    ]

    # Answered once: a second answer is refused.
    again = _api(proposer, f"/amendments/{amendment.pk}/answer", {"accept": False, "reason": "x"})
    assert again.status_code == 403
    assert again.json()["reasons"][0]["code"] == "answered"


def test_a_quote_that_is_not_in_the_text_once_is_refused_with_its_reason(
    voting: RedVoting,
) -> None:
    proposal = _poll(voting, "A tent. A tent. Food.")
    member = voting.citizens[1]
    for passage, code in [
        ("a caravan", "passage_not_found"),
        ("A tent.", "passage_ambiguous"),
        ("", "no_passage"),
    ]:
        refused = _api(
            member,
            f"/proposals/{proposal.pk}/amendments",
            {"passage": passage, "replacement": "Two tents."},
        )
        assert refused.status_code == 403, refused.content
        assert code in [r["code"] for r in refused.json()["reasons"]]
    same = _api(
        member, f"/proposals/{proposal.pk}/amendments", {"passage": "Food.", "replacement": "Food."}
    )
    assert [r["code"] for r in same.json()["reasons"]] == ["same_text"]
    page = client_for(member).post(
        f"/decisions/{proposal.pk}/amendments/",
        {"passage": "A tent.", "replacement": "x"},
        follow=True,
    )
    assert "appears 2 times in the text: quote a longer passage" in _text(page)
    assert not TextAmendment.objects.exists()


def test_the_proposers_own_change_is_made_at_once_and_a_rejection_says_why(
    voting: RedVoting,
) -> None:
    proposal = _poll(voting)
    proposer, member = voting.red.citizen, voting.citizens[1]
    own = _api(
        proposer,
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "three days", "replacement": "four days"},
    )
    assert own.status_code == 201 and own.json()["status"] == "accepted"
    proposal.refresh_from_db()
    assert "four days" in proposal.body

    made = _api(
        member,
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "a tent", "replacement": "a caravan", "why": "<script>alert(1)</script>"},
    )
    assert made.status_code == 201
    number = made.json()["number"]
    assert number == 2
    amendment = TextAmendment.objects.get(number=2)
    bare = _api(proposer, f"/amendments/{amendment.pk}/answer", {"accept": False})
    assert [r["code"] for r in bare.json()["reasons"]] == ["reject_reason"]
    rejected = _api(
        proposer,
        f"/amendments/{amendment.pk}/answer",
        {"accept": False, "reason": "Caravans do not fit."},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    page = client_for(member).get(f"/decisions/{proposal.pk}/").content.decode()
    # Hostile text is shown as text, never run.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "Caravans do not fit." in html.unescape(page)
    # Its author may withdraw a rejected amendment (to propose it again, corrected); it
    # stays readable with the proposer's answer. An accepted one is in the text for good.
    gone = _api(member, f"/amendments/{amendment.pk}/withdraw", {})
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert gone.json()["answer"] == "Caravans do not fit."
    first = TextAmendment.objects.get(number=1)
    kept = _api(proposer, f"/amendments/{first.pk}/withdraw", {})
    assert [r["code"] for r in kept.json()["reasons"]] == ["answered"]
    assert TextAmendment.objects.count() == 2


def test_a_supported_rejected_amendment_competes_on_a_star_ballot_and_can_win(
    harmony: Harmony,
) -> None:
    """Harmony's STAR vote: every option is scored on its own, so an amended text competes
    without splitting the votes for adopting the text."""
    ann, ben, cat, dev = harmony.members
    made = client_for(ann).post(
        f"/assemblies/{harmony.assembly.slug}/decisions/new/",
        {"kind": "star_vote", "title": "A summer camp?", "body": TEXT},
    )
    assert made.status_code == 302, _text(made)[:1500]
    proposal = Proposal.objects.get()
    made = _api(
        ben,
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    )
    amendment = TextAmendment.objects.get(pk=made.json()["id"])
    _api(ann, f"/amendments/{amendment.pk}/answer", {"accept": False, "reason": "July."})
    # The author's own support is not counted, nor the proposer's; three others' are.
    own = _api(ben, f"/amendments/{amendment.pk}/support", {"support": True})
    assert [r["code"] for r in own.json()["reasons"]] == ["own_amendment"]
    theirs = _api(ann, f"/amendments/{amendment.pk}/support", {"support": True})
    assert [r["code"] for r in theirs.json()["reasons"]] == ["proposer_answers"]
    for person in (cat, dev, harmony.secretary):
        done = client_for(person).post(f"/amendments/{amendment.pk}/support/", {"support": "1"})
        assert done.status_code == 302
    listed = Client().get(f"/api/v1/proposals/{proposal.pk}/amendments").json()
    assert listed[0]["supports"] == 3 and listed[0]["competing"] is True
    assert "goes to the ballot" in _text(client_for(ann).get(f"/decisions/{proposal.pk}/"))

    launched = client_for(harmony.secretary).post(
        f"/decisions/{proposal.pk}/launch/", {"days": "7"}, follow=True
    )
    assert launched.status_code == 200
    vote = Vote.objects.get(proposal=proposal)
    assert vote.options == ["Yes", "Yes, with amendment 1", "No"]
    amendment.refresh_from_db()
    assert amendment.ballot_option == "Yes, with amendment 1"
    assert "We hold a camp in August." in amendment.ballot_text
    # The ballot says what the option changes.
    ballot = _text(client_for(cat).get(f"/votes/{vote.pk}/"))
    assert "Options with an amendment" in ballot and "<del>July</del><ins>August</ins>" in ballot
    # Once the vote is open, the text no longer changes.
    late = _api(
        cat, f"/proposals/{proposal.pk}/amendments", {"passage": "food", "replacement": "water"}
    )
    assert [r["code"] for r in late.json()["reasons"]] == ["not_amendable_now"]

    for person in (harmony.secretary, *harmony.members):
        scores = {"Yes": 3, "Yes, with amendment 1": 5, "No": 0}
        cast = _api(person, f"/votes/{vote.pk}/ballot", {"scores": scores})
        assert cast.status_code == 201, cast.content
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        Client().get(f"/votes/{vote.pk}/")  # the page settles the closed vote
        page = _text(Client().get(f"/decisions/{proposal.pk}/"))
    assert "The vote adopted the text with amendment 1: the text above is the one adopted." in page
    assert "We hold a camp in August." in page
    # The adopted text is the proposal's text now, a version of its own.
    proposal.refresh_from_db()
    assert "We hold a camp in August." in proposal.body
    assert Client().get(f"/api/v1/proposals/{proposal.pk}").json()["body"] == proposal.body
    versions = _text(Client().get(f"/decisions/{proposal.pk}/versions/"))
    assert "Adopted by the vote: the text with amendment 1, by Ben." in versions


def test_on_a_single_choice_ballot_amendments_do_not_split_the_yes(voting: RedVoting) -> None:
    """RED15M's polls are one choice among the options, with a higher threshold for more
    than two: a supported amendment does not go there, where it would sink the proposal."""
    proposal = _poll(voting)
    made = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    ).json()
    for person in voting.citizens[2:6]:
        _api(person, f"/amendments/{made['id']}/support", {"support": True})
    listed = Client().get(f"/api/v1/proposals/{proposal.pk}/amendments").json()
    assert listed[0]["supports"] == 4 and listed[0]["competing"] is False
    client_for(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/validate/")
    client_for(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    assert Vote.objects.get(proposal=proposal).options == ["Yes", "No"]


def test_an_amendment_whose_passage_changed_is_outdated_and_cannot_be_accepted(
    voting: RedVoting,
) -> None:
    proposal = _poll(voting)
    proposer = voting.red.citizen
    first = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "camp in July", "replacement": "camp in June"},
    ).json()
    second = _api(
        voting.citizens[2],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in September"},
    ).json()
    _api(proposer, f"/amendments/{first['id']}/answer", {"accept": True})
    listed = {
        a["number"]: a for a in Client().get(f"/api/v1/proposals/{proposal.pk}/amendments").json()
    }
    assert listed[2]["outdated"] is True and listed[1]["outdated"] is False
    page = _text(client_for(proposer).get(f"/decisions/{proposal.pk}/"))
    assert "The passage it replaces has changed since" in page
    refused = _api(proposer, f"/amendments/{second['id']}/answer", {"accept": True})
    assert "passage_not_found" in [r["code"] for r in refused.json()["reasons"]]
    # Its author withdraws it; it stays readable, marked withdrawn.
    gone = client_for(voting.citizens[2]).post(f"/amendments/{second['id']}/withdraw/", follow=True)
    assert "Your amendment is withdrawn." in _text(gone)
    assert TextAmendment.objects.get(pk=second["id"]).withdrawn_at is not None
    assert 'data-status="withdrawn"' in _text(Client().get(f"/decisions/{proposal.pk}/"))


def test_once_drafters_approve_the_text_it_no_longer_changes(voting: RedVoting) -> None:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "poll", "title": "A summer camp?", "body": TEXT},
    )
    assert made.status_code == 302
    proposal = Proposal.objects.get()
    amendment = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    ).json()
    # A drafter approved the text (VOTE-3: in its drafting stage, after the debate).
    DraftingApproval.objects.create(proposal=proposal, person=voting.red.drafter, office="drafter")
    refused = _api(voting.red.citizen, f"/amendments/{amendment['id']}/answer", {"accept": True})
    assert [r["code"] for r in refused.json()["reasons"]] == ["text_approved"]
    proposal.refresh_from_db()
    assert proposal.body == TEXT


def test_a_protocol_amendment_is_not_amended_as_a_text_and_the_protocol_page_says_the_rule(
    voting: RedVoting,
) -> None:
    protocol = _text(Client().get(f"/assemblies/{voting.assembly.slug}/protocol/"))
    assert (
        "Members may amend its text while it is debated; a rejected amendment that 3 members "
        "support goes to the vote as a competing option"
    ) in protocol
    from folkmoot.governance.presets import preset_text

    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "referendum",
            "title": "Only citizens reply in Debates",
            "body": "Why we change it.",
            "amendment": "partial",
            "protocol_text": preset_text("red15m").replace(
                '    reply: platform               # "Escritura: Ciudadanos global"',
                "    reply: citizen",
            ),
        },
    )
    assert made.status_code == 302, _text(made)[:1500]
    proposal = Proposal.objects.get()
    refused = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "Why", "replacement": "How"},
    )
    assert "amend_protocol_text" in [r["code"] for r in refused.json()["reasons"]]
    assert "Propose an amendment" not in _text(
        client_for(voting.citizens[1]).get(f"/decisions/{proposal.pk}/")
    )


def test_a_sanctioned_proposer_or_a_closed_assembly_changes_no_text(voting: RedVoting) -> None:
    """SAN-6: a sanctioned person only reads; issue 13: a closed assembly is an archive."""
    from folkmoot.federation.models import Assembly
    from folkmoot.moderation.models import Sanction

    proposal = _poll(voting)
    proposer = voting.red.citizen
    made = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    ).json()
    Sanction.objects.create(
        assembly=voting.assembly,
        person=proposer,
        level="minor",
        duration=timedelta(hours=24),
        reason="Trolling",
        imposed_by=voting.coordinators[0],
    )
    refused = _api(proposer, f"/amendments/{made['id']}/answer", {"accept": True})
    assert "sanctioned" in [r["code"] for r in refused.json()["reasons"]]
    page = _text(client_for(proposer).get(f"/decisions/{proposal.pk}/"))
    assert "Accept: change the text" not in page
    Sanction.objects.all().delete()
    Assembly.objects.filter(pk=voting.assembly.pk).update(closed_at=timezone.now())
    closed = _api(proposer, f"/amendments/{made['id']}/answer", {"accept": True})
    assert "assembly_closed" in [r["code"] for r in closed.json()["reasons"]]
    proposal.refresh_from_db()
    assert proposal.body == TEXT


def test_members_of_a_restricted_assembly_amend_through_the_api(voting: RedVoting) -> None:
    """The API reads a restricted assembly's proposal with the caller's rights, never as an
    anonymous reader would (that read failed after the write, once)."""
    from folkmoot.federation.models import Assembly

    Assembly.objects.filter(pk=voting.assembly.pk).update(access_mode="restricted")
    proposal = _poll(voting)
    made = _api(
        voting.citizens[1],
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    )
    assert made.status_code == 201, made.content
    listed = Client().get(
        f"/api/v1/proposals/{proposal.pk}/amendments", **bearer(voting.citizens[2])
    )
    assert listed.status_code == 200 and listed.json()[0]["number"] == 1
    assert Client().get(f"/api/v1/proposals/{proposal.pk}/amendments").status_code == 404
    assert TextAmendment.objects.count() == 1


def test_the_proposers_own_change_waits_for_no_one_but_not_past_an_approval(
    voting: RedVoting,
) -> None:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "poll", "title": "A summer camp?", "body": TEXT},
    )
    assert made.status_code == 302
    proposal = Proposal.objects.get()
    DraftingApproval.objects.create(proposal=proposal, person=voting.red.drafter, office="drafter")
    refused = _api(
        voting.red.citizen,
        f"/proposals/{proposal.pk}/amendments",
        {"passage": "in July", "replacement": "in August"},
    )
    assert "text_approved" in [r["code"] for r in refused.json()["reasons"]]
    assert not TextAmendment.objects.exists()


def test_those_who_responded_to_a_consensus_round_hear_that_the_text_changed(
    harmony: Harmony,
) -> None:
    """VOTE-1 with VOTE-14: a response was given to the text as it then was."""
    ann, ben, _cat, _dev = harmony.members
    made = client_for(ann).post(
        f"/assemblies/{harmony.assembly.slug}/decisions/new/",
        {"kind": "consensus_proposal", "title": "Quiet hours", "body": "Quiet after ten."},
    )
    assert made.status_code == 302, _text(made)[:1500]
    proposal = Proposal.objects.get()
    client_for(ben).post(f"/decisions/{proposal.pk}/respond/", {"response": "agree"})
    changed = _api(
        ann, f"/proposals/{proposal.pk}/amendments", {"passage": "ten", "replacement": "eleven"}
    )
    assert changed.status_code == 201 and changed.json()["status"] == "accepted"
    notices = _text(client_for(ben).get("/notifications/"))
    assert "The text of “Quiet hours” changed since you responded: read it again" in notices
