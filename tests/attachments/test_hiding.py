"""FOR-7 with moderation: a moderator (whoever may move a post to the trash) hides one file of
a post, a proposal or a moot, the rest staying as they are. Readers no longer get it (its
address and its thumbnail answer as for a file that never was, the page and the API list
it no more, the text no longer shows it); nothing is deleted; its uploader and the
moderators still see it, marked hidden with the reason; the audit log says who hid what and
why; a moderator shows it again."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from folkmoot.attachments.models import Attachment
from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.actions import check_propose, decision_context
from folkmoot.forums.models import Post
from folkmoot.moots.models import Moot
from tests.conftest import client_for
from tests.decisions.conftest import build_harmony

from .conftest import PDF, Design, attach_on_page, png, stored_files, upload

pytestmark = pytest.mark.django_db


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _attach(client: Any, kind: str, pk: int, name: str, data: bytes) -> Attachment:
    page = attach_on_page(client, kind, pk, upload(name, data))
    assert f"“{name}” is attached" in _page(page), _page(page)
    return Attachment.objects.latest("pk")


def _thread(design: Design) -> str:
    return f"/assemblies/red15m/threads/{design.post.thread_id}/"


def _section(page: str, attachment: Attachment) -> str:
    """What the page shows of one attachment, in the list under the post."""
    return page.split(f'id="attachment-{attachment.pk}"')[1].split("</li>")[0]


@pytest.fixture
def poster_and_route(design: Design) -> tuple[Attachment, Attachment]:
    author = client_for(design.author)
    poster = _attach(author, "post", design.post.pk, "poster.png", png())
    route = _attach(author, "post", design.post.pk, "route.pdf", PDF)
    author.post(
        f"/assemblies/red15m/posts/{design.post.pk}/edit/",
        {"body": f"Here it is: ![poster](attachment:{poster.pk})"},
    )
    return poster, route


def test_a_moderator_hides_one_file_of_a_post_and_readers_lose_that_one_only(
    design: Design, poster_and_route: tuple[Attachment, Attachment], attachment_folder: Path
) -> None:
    poster, route = poster_and_route
    files_before = stored_files(attachment_folder)
    moderator = client_for(design.red.coordinator)
    thread = _page(moderator.get(_thread(design)))
    assert f'action="/attachments/{poster.pk}/hide/"' in _section(thread, poster)
    assert f'action="/attachments/{route.pk}/hide/"' in _section(thread, route)

    done = moderator.post(
        f"/attachments/{poster.pk}/hide/",
        {"reason": "A photo of a person who did not agree", "next": _thread(design)},
        follow=True,
    )
    assert "“poster.png” is hidden: only its uploader and the moderators see it now." in _page(done)

    reader = client_for(design.red.drafter)
    assert reader.get(f"/attachments/{poster.pk}/poster.png").status_code == 404
    assert reader.get(f"/attachments/{poster.pk}/thumbnail/").status_code == 404
    page = _page(reader.get(_thread(design)))
    assert f"/attachments/{poster.pk}/" not in page  # neither under the post nor in its text
    assert "Here it is:" in page
    assert f'<a href="/attachments/{route.pk}/route.pdf" download>route.pdf</a>' in page
    assert reader.get(f"/attachments/{route.pk}/route.pdf").status_code == 200
    listed = reader.get(f"/api/v1/posts/{design.post.pk}/attachments").json()
    assert [a["name"] for a in listed] == ["route.pdf"]
    assert "<img" not in Post.objects.get(pk=design.post.pk).body_html

    # Nothing was deleted: the row and the bytes stay.
    assert stored_files(attachment_folder) == files_before
    assert Attachment.objects.filter(pk=poster.pk, removed_at__isnull=True).exists()


def test_its_uploader_and_the_moderators_still_see_it_marked_hidden_with_the_reason(
    design: Design, poster_and_route: tuple[Attachment, Attachment]
) -> None:
    poster, _route = poster_and_route
    hidden = client_for(design.red.coordinator).post(
        f"/api/v1/attachments/{poster.pk}/hide", {"reason": "Copyright"}, "application/json"
    )
    assert hidden.status_code == 200, hidden.content
    assert (hidden.json()["hidden"], hidden.json()["hidden_reason"]) == (True, "Copyright")
    for who in (design.author, design.red.coordinator):
        client = client_for(who)
        response = client.get(f"/attachments/{poster.pk}/poster.png")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert client.get(f"/attachments/{poster.pk}/thumbnail/").status_code == 200
        shown = _section(_page(client.get(_thread(design))), poster)
        assert "Hidden by moderation" in shown and "Copyright" in shown
        [row] = [
            a
            for a in client.get(f"/api/v1/posts/{design.post.pk}/attachments").json()
            if a["id"] == poster.pk
        ]
        assert (row["hidden"], row["hidden_reason"]) == (True, "Copyright")
    # The author is not a moderator: marked, but no form to show it again.
    own = _section(_page(client_for(design.author).get(_thread(design))), poster)
    assert "/show/" not in own
    edit = _page(client_for(design.author).get(f"/assemblies/red15m/posts/{design.post.pk}/edit/"))
    assert "Hidden by moderation" in edit


def test_a_moderator_shows_it_again_and_the_audit_log_says_who_did_what_and_why(
    design: Design, poster_and_route: tuple[Attachment, Attachment]
) -> None:
    poster, _route = poster_and_route
    moderator = client_for(design.red.coordinator)
    moderator.post(f"/attachments/{poster.pk}/hide/", {"reason": "Copyright"})
    shown = _section(_page(moderator.get(_thread(design))), poster)
    assert f'action="/attachments/{poster.pk}/show/"' in shown
    done = moderator.post(f"/attachments/{poster.pk}/show/", follow=True)
    assert "“poster.png” is shown again to everyone." in _page(done)

    reader = client_for(design.red.drafter)
    assert reader.get(f"/attachments/{poster.pk}/poster.png").status_code == 200
    assert (
        f'src="/attachments/{poster.pk}/poster.png"'
        in Post.objects.get(pk=design.post.pk).body_html
    )
    assert "Hidden by moderation" not in _page(reader.get(_thread(design)))
    # The uploader heard of both, with the reason.
    notices = _page(client_for(design.author).get("/notifications/"))
    assert "A moderator hid your file “poster.png”: Copyright" not in notices  # shown again now
    assert "A moderator showed your file “poster.png” again." in notices

    events = AuditEvent.objects.filter(verb__in=["attachment.hide", "attachment.show"])
    assert [(e.verb, e.actor_id, e.subject_id) for e in events.order_by("pk")] == [
        ("attachment.hide", design.red.coordinator.pk, poster.pk),
        ("attachment.show", design.red.coordinator.pk, poster.pk),
    ]
    assert events.get(verb="attachment.hide").data["reason"] == "Copyright"
    # Showing what is not hidden is refused in words, through the API as on the page.
    again = moderator.post(f"/api/v1/attachments/{poster.pk}/show")
    assert again.status_code == 403
    assert again.json()["reasons"][0]["code"] == "not_hidden"


def test_only_moderators_hide_a_file_and_a_reason_is_needed(
    design: Design, poster_and_route: tuple[Attachment, Attachment]
) -> None:
    poster, _route = poster_and_route
    for who in (design.author, design.red.drafter):
        client = client_for(who)
        assert f"/attachments/{poster.pk}/hide/" not in _page(client.get(_thread(design)))
        refused = client.post(
            f"/api/v1/attachments/{poster.pk}/hide", {"reason": "Mine"}, "application/json"
        )
        assert refused.status_code == 403
        assert refused.json()["reasons"][0]["code"] == "no_power"
        page = client.post(f"/attachments/{poster.pk}/hide/", {"reason": "Mine"}, follow=True)
        assert "Only office holders with the power to moderate may do this." in _page(page)
    # Someone who may not read the forum finds no such file at all.
    outsider = client_for(design.red.platform)
    assert outsider.post(f"/attachments/{poster.pk}/hide/", {"reason": "x"}).status_code == 404

    moderator = client_for(design.red.coordinator)
    unexplained = moderator.post(f"/attachments/{poster.pk}/hide/", {"reason": "  "}, follow=True)
    assert "Say why: its uploader and the moderators read the reason." in _page(unexplained)
    empty = moderator.post(
        f"/api/v1/attachments/{poster.pk}/hide", {"reason": ""}, "application/json"
    )
    assert empty.status_code == 422
    assert Attachment.objects.get(pk=poster.pk).hidden_at is None

    moderator.post(f"/attachments/{poster.pk}/hide/", {"reason": "Copyright"})
    twice = moderator.post(
        f"/api/v1/attachments/{poster.pk}/hide", {"reason": "Again"}, "application/json"
    )
    assert twice.status_code == 403
    assert twice.json()["reasons"][0]["code"] == "hidden_already"
    assert Attachment.objects.get(pk=poster.pk).hidden_reason == "Copyright"


def test_a_file_of_a_proposal_or_a_moot_is_hidden_the_same_way(db: None) -> None:
    """Harmony's secretary moderates: one file of a proposal goes, the other stays; the
    proposer still sees theirs, marked; a moot's poster likewise."""
    harmony = build_harmony()
    ann, ben = harmony.members[:2]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Bike racks",
        body="See the plan.",
    )
    plan = _attach(client_for(ann), "proposal", proposal.pk, "plan.pdf", PDF)
    photo = _attach(client_for(ann), "proposal", proposal.pk, "photo.png", png())
    address = f"/decisions/{proposal.pk}/"
    secretary = client_for(harmony.secretary)
    assert f'action="/attachments/{photo.pk}/hide/"' in _page(secretary.get(address))
    assert f"/attachments/{photo.pk}/hide/" not in _page(client_for(ben).get(address))
    secretary.post(f"/attachments/{photo.pk}/hide/", {"reason": "Off topic", "next": address})

    member = _page(client_for(ben).get(address))
    assert f"/attachments/{photo.pk}/" not in member
    assert f'<a href="/attachments/{plan.pk}/plan.pdf" download>plan.pdf</a>' in member
    assert client_for(ben).get(f"/attachments/{photo.pk}/photo.png").status_code == 404
    listed = client_for(None).get(f"/api/v1/proposals/{proposal.pk}/attachments").json()
    assert [a["name"] for a in listed] == ["plan.pdf"]
    proposer = _page(client_for(ann).get(address))
    assert "Hidden by moderation" in proposer and "Off topic" in proposer
    assert client_for(ann).get(f"/attachments/{photo.pk}/photo.png").status_code == 200

    moot = Moot.objects.create(
        assembly=harmony.assembly,
        title="Spring planning",
        purpose="Agree the spring campaign.",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2),
        called_by=harmony.secretary,
    )
    made = secretary.post(f"/api/v1/moots/{moot.pk}/attachments", {"file": upload("a.png", png())})
    assert made.status_code == 201, made.content
    poster = made.json()["id"]
    refused = client_for(ben).post(
        f"/api/v1/attachments/{poster}/hide", {"reason": "No"}, "application/json"
    )
    assert refused.status_code == 403
    hidden = secretary.post(
        f"/api/v1/attachments/{poster}/hide", {"reason": "Wrong date"}, "application/json"
    )
    assert hidden.status_code == 200
    assert client_for(ben).get(f"/attachments/{poster}/a.png").status_code == 404
    assert client_for(ben).get(f"/api/v1/moots/{moot.pk}/attachments").json() == []
    shown = secretary.post(f"/api/v1/attachments/{poster}/show")
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    assert client_for(ben).get(f"/attachments/{poster}/a.png").status_code == 200


def test_a_thread_page_kept_for_readers_still_shows_its_uploader_their_hidden_file(
    design: Design, poster_and_route: tuple[Attachment, Attachment]
) -> None:
    """Issue 11: readers share a thread page's posts (forums/thread_posts.py); hiding a file
    reaches the kept page at once, and its uploader still sees it there, marked hidden."""
    poster, route = poster_and_route
    reader = client_for(design.red.drafter)
    assert f"/attachments/{poster.pk}/" in _page(reader.get(_thread(design)))  # kept now
    hidden = client_for(design.red.coordinator).post(
        f"/api/v1/attachments/{poster.pk}/hide", {"reason": "Copyright"}, "application/json"
    )
    assert hidden.status_code == 200, hidden.content
    page = _page(reader.get(_thread(design)))
    assert f"/attachments/{poster.pk}/" not in page and f"/attachments/{route.pk}/" in page
    own = _section(_page(client_for(design.author).get(_thread(design))), poster)
    assert "Hidden by moderation" in own and "Copyright" in own
