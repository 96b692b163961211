"""FOR-7: who sees an attachment, and how. A file is as readable as the post, proposal or
moot it is on (a reader who may not read the forum gets the same 404 as for a file that
does not exist); files other than images are only ever downloads; the text shows the
thing's own attachments where its author names them, and nothing else; moderation and the
author hide attachments without deleting them; the person's export lists their uploads."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from folkmoot.accounts.personal_data import export_of
from folkmoot.attachments.models import Attachment
from folkmoot.decisions.actions import check_propose, decision_context
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.forums.actions import do_reply
from folkmoot.forums.models import Post, Thread
from folkmoot.moots.models import Moot
from tests.attachments.conftest import (
    PDF,
    Design,
    attach_on_page,
    png,
    stored_files,
    upload,
)
from tests.conftest import client_for
from tests.decisions.conftest import build_harmony, build_red_voting
from tests.forums.conftest import Red15m

pytestmark = pytest.mark.django_db


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _attach(design: Design, name: str, data: bytes, post: Post | None = None) -> Attachment:
    target = post or design.post
    page = attach_on_page(client_for(target.author), "post", target.pk, upload(name, data))
    assert f"“{name}” is attached" in _page(page), _page(page)
    return Attachment.objects.latest("pk")


def test_a_reader_who_may_not_read_the_forum_gets_the_same_404_as_for_a_missing_file(
    design: Design,
) -> None:
    """FOR-7, FOR-2: Design is read by citizens; a platform user and a visitor learn nothing."""
    poster = _attach(design, "poster.png", png())
    address = f"/attachments/{poster.pk}/poster.png"
    assert client_for(design.red.drafter).get(address).status_code == 200
    for outsider in (design.red.platform, None):
        reader = client_for(outsider)
        assert reader.get(address).status_code == 404
        assert reader.get(f"/attachments/{poster.pk}/thumbnail/").status_code == 404
        assert reader.get(f"/api/v1/posts/{design.post.pk}/attachments").status_code == 404
    missing = client_for(design.red.platform).get(f"/attachments/{poster.pk + 1}/poster.png")
    assert missing.status_code == 404


def test_a_pdf_is_only_ever_a_download_that_the_browser_may_not_sniff(design: Design) -> None:
    """FOR-7: never executed: served as an attachment, of our type, with nosniff."""
    document = _attach(design, "minutes.pdf", PDF)
    response = client_for(design.red.drafter).get(f"/attachments/{document.pk}/minutes.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="minutes.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF  # kept as it came


def test_a_text_file_that_would_be_html_to_a_sniffer_is_a_plain_text_download(
    design: Design,
) -> None:
    """FOR-7: a text is stored as it is and served as text/plain, as a download."""
    text = b"Agenda\n1. Posters\n2. <b>March</b> route\n"
    notes = _attach(design, "agenda.txt", text)
    response = client_for(design.red.drafter).get(f"/attachments/{notes.pk}/agenda.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_thread_shows_images_as_thumbnails_and_files_as_downloads(design: Design) -> None:
    """FOR-7: under the post, each image's thumbnail links to the image; each file is a
    download link with its name and size."""
    poster = _attach(design, "poster.png", png())
    document = _attach(design, "route.pdf", PDF)
    page = _page(
        client_for(design.red.drafter).get(
            f"/assemblies/red15m/posts/{design.post.pk}/", follow=True
        )
    )
    assert (
        f'<a href="/attachments/{poster.pk}/poster.png"><img src="/attachments/{poster.pk}/thumbnail/"'
        in page
    )
    assert f'<a href="/attachments/{document.pk}/route.pdf" download>route.pdf</a>' in page
    assert f"{len(PDF)}\xa0bytes" in page


def test_the_edit_page_has_a_plain_multipart_form_and_says_what_to_write(design: Design) -> None:
    """FOR-7: pages work without JavaScript; the author learns the reference to write."""
    poster = _attach(design, "poster.png", png())
    page = _page(client_for(design.author).get(f"/assemblies/red15m/posts/{design.post.pk}/edit/"))
    assert (
        f'<form method="post" action="/attachments/on/post/{design.post.pk}/" '
        'enctype="multipart/form-data">' in page
    )
    assert f"![poster.png](attachment:{poster.pk})" in page
    # Someone else's post: no form to add to it.
    other = _page(
        client_for(design.red.drafter).get(f"/assemblies/red15m/posts/{design.post.pk}/edit/")
    )
    assert "/attachments/on/post/" not in other


def test_the_text_shows_only_the_same_posts_attachments_where_named(design: Design) -> None:
    """FOR-7: `![poster](attachment:N)` becomes the image for the post's own attachment; one
    of another post, or an address written by hand, is dropped by the sanitiser."""
    mine = _attach(design, "poster.png", png())
    reply = do_reply(thread=design.post.thread, author=design.red.drafter, body="Mine")
    theirs = _attach(design, "other.png", png(), post=reply)
    body = (
        f"Here: ![poster](attachment:{mine.pk})\n\n"
        f"Theirs: ![stolen](attachment:{theirs.pk})\n\n"
        f'By hand: <img src="/attachments/{theirs.pk}/other.png">\n\n'
        f"[the file](attachment:{theirs.pk})"
    )
    author = client_for(design.author)
    edited = author.post(f"/assemblies/red15m/posts/{design.post.pk}/edit/", {"body": body})
    assert edited.status_code == 302
    stored = Post.objects.get(pk=design.post.pk).body_html
    assert stored.count("<img") == 1
    assert f'src="/attachments/{mine.pk}/poster.png"' in stored
    assert f"/attachments/{theirs.pk}/" not in stored
    assert "attachment:" not in stored
    page = _page(author.get(f"/assemblies/red15m/threads/{design.post.thread_id}/"))
    first_post = page.split(f'id="post-{design.post.pk}"')[1].split('id="post-')[0]
    assert f'alt="poster" src="/attachments/{mine.pk}/poster.png"' in first_post
    assert f'src="/attachments/{theirs.pk}/' not in first_post
    assert "stolen" not in first_post


# Ids start again from 1 (PostgreSQL's sequences do not go back when a test's transaction
# is rolled back), so the id the next upload gets is known before it is made.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_reference_written_before_the_upload_shows_once_the_file_is_attached(
    design: Design,
) -> None:
    """FOR-7: attaching renders the text again, so `attachment:N` finds its file."""
    assert not Attachment.objects.exists()
    expected = 1
    author = client_for(design.author)
    author.post(
        f"/assemblies/red15m/posts/{design.post.pk}/edit/",
        {"body": f"![poster](attachment:{expected})"},
    )
    assert "<img" not in Post.objects.get(pk=design.post.pk).body_html
    poster = _attach(design, "poster.png", png())
    assert poster.pk == expected
    assert (
        f'src="/attachments/{poster.pk}/poster.png"'
        in Post.objects.get(pk=design.post.pk).body_html
    )


def _trash(design: Design, post: Post) -> None:
    protocol_minutes = 60
    response = client_for(design.red.coordinator).post(
        f"/assemblies/red15m/posts/{post.pk}/trash/",
        {"reason": "Off topic", "minutes": protocol_minutes, "scope": "post"},
        follow=True,
    )
    assert Post.objects.get(pk=post.pk).trashed_at is not None, _page(response)


def test_a_reply_moderation_moves_to_the_trash_takes_its_attachments_out_of_sight(
    design: Design,
) -> None:
    """FOR-7, FOR-3: moderation hides, never deletes: readers get 404 and no thumbnail;
    the author and moderators still see it; restored, it is back for everyone."""
    reply = do_reply(thread=design.post.thread, author=design.red.drafter, body="Look")
    image = _attach(design, "rude.png", png(), post=reply)
    address = f"/attachments/{image.pk}/rude.png"
    reader = client_for(design.author)
    assert reader.get(address).status_code == 200

    _trash(design, reply)
    assert reader.get(address).status_code == 404
    assert reader.get(f"/api/v1/posts/{reply.pk}/attachments").json() == []
    thread_page = _page(reader.get(f"/assemblies/red15m/threads/{reply.thread_id}/"))
    assert f"/attachments/{image.pk}/" not in thread_page
    assert client_for(design.red.drafter).get(address).status_code == 200  # its author
    assert client_for(design.red.coordinator).get(address).status_code == 200  # moderation
    assert Attachment.objects.filter(pk=image.pk).exists()

    client_for(design.red.coordinator).post(f"/assemblies/red15m/posts/{reply.pk}/restore/")
    assert reader.get(address).status_code == 200


def test_an_author_removes_their_attachment_readers_lose_it_the_bytes_stay(
    design: Design, attachment_folder: Path
) -> None:
    """FOR-7: removing hides it from readers (and from the text); nothing is deleted."""
    poster = _attach(design, "poster.png", png())
    author = client_for(design.author)
    author.post(
        f"/assemblies/red15m/posts/{design.post.pk}/edit/",
        {"body": f"![poster](attachment:{poster.pk})"},
    )
    files_before = stored_files(attachment_folder)
    # Someone else may not remove it.
    assert (
        client_for(design.red.drafter).delete(f"/api/v1/attachments/{poster.pk}").status_code == 403
    )
    page = author.post(f"/attachments/{poster.pk}/remove/", follow=True)
    assert "“poster.png” is removed" in _page(page)
    assert (
        client_for(design.red.drafter).get(f"/attachments/{poster.pk}/poster.png").status_code
        == 404
    )
    assert "<img" not in Post.objects.get(pk=design.post.pk).body_html
    assert stored_files(attachment_folder) == files_before
    assert Attachment.objects.get(pk=poster.pk).removed_at is not None


def test_once_the_edit_window_closes_the_author_can_no_longer_add_or_remove(
    design: Design,
) -> None:
    """FOR-7: attachments change while the post may be edited (the forum's window)."""
    poster = _attach(design, "poster.png", png())
    Post.objects.filter(pk=design.post.pk).update(created_at=timezone.now() - timedelta(days=2))
    response = client_for(design.author).delete(f"/api/v1/attachments/{poster.pk}")
    assert response.status_code == 403
    assert "can no longer be" in response.json()["detail"]
    late = client_for(design.author).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload("late.pdf", PDF)}
    )
    assert late.status_code == 403
    assert Attachment.objects.count() == 1


def test_the_export_of_a_persons_data_lists_their_uploads(design: Design) -> None:
    """FOR-7, issue 13: what they added, on what, when, and whether they removed it."""
    _attach(design, "poster.png", png())
    [upload_row] = export_of(design.author)["uploads"]
    assert upload_row["name"] == "poster.png"
    assert upload_row["type"] == "image/png"
    assert upload_row["on"]["post"] == design.post.pk
    assert export_of(design.red.drafter)["uploads"] == []


def test_a_proposer_attaches_a_file_to_their_proposal_from_its_page(db: None) -> None:
    """FOR-7: proposals carry files; only the proposer adds them, from the proposal's page."""
    harmony = build_harmony()
    ann, ben = harmony.members[:2]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Bike racks",
        body="See the plan.",
    )
    own_page = _page(client_for(ann).get(f"/decisions/{proposal.pk}/"))
    assert f'action="/attachments/on/proposal/{proposal.pk}/"' in own_page
    assert "/attachments/on/" not in _page(client_for(ben).get(f"/decisions/{proposal.pk}/"))

    page = attach_on_page(client_for(ann), "proposal", proposal.pk, upload("plan.pdf", PDF))
    assert "“plan.pdf” is attached" in _page(page)
    refused = attach_on_page(client_for(ben), "proposal", proposal.pk, upload("mine.pdf", PDF))
    assert "Only the proposer adds files to a proposal." in _page(refused)
    plan = Attachment.objects.get()
    shown = _page(client_for(ben).get(f"/decisions/{proposal.pk}/"))
    assert f'<a href="/attachments/{plan.pk}/plan.pdf" download>plan.pdf</a>' in shown
    listed = client_for(None).get(f"/api/v1/proposals/{proposal.pk}/attachments")
    assert [a["name"] for a in listed.json()] == ["plan.pdf"]


def test_whoever_may_change_a_moot_attaches_its_poster_shown_on_its_page(db: None) -> None:
    """FOR-7: moots carry images; the secretary who called it adds one, members see it."""
    harmony = build_harmony()
    starts = timezone.localtime() + timedelta(days=7)
    called = client_for(harmony.secretary).post(
        "/assemblies/harmony-town/moots/new/",
        {
            "title": "Spring planning",
            "purpose": "Agree the spring campaign.",
            "starts_at": starts.strftime("%Y-%m-%dT19:00"),
            "ends_at": starts.strftime("%Y-%m-%dT21:00"),
            "place": "Library",
            "online_link": "",
            "capacity": "",
        },
    )
    assert called.status_code == 302
    moot = Moot.objects.get()
    made = client_for(harmony.secretary).post(
        f"/api/v1/moots/{moot.pk}/attachments", {"file": upload("poster.png", png())}
    )
    assert made.status_code == 201, made.content
    poster = Attachment.objects.get()
    member = client_for(harmony.members[0])
    page = _page(member.get(f"/moots/{moot.pk}/"))
    assert re.search(rf'<img src="/attachments/{poster.pk}/thumbnail/"', page)
    assert member.get(f"/attachments/{poster.pk}/poster.png").status_code == 200
    refused = member.post(f"/api/v1/moots/{moot.pk}/attachments", {"file": upload("x.png", png())})
    assert refused.status_code == 403


def test_a_thread_moderation_moves_to_the_trash_keeps_its_images_from_the_trashs_readers(
    design: Design,
) -> None:
    """FOR-7, FOR-3: RED15M's Trash is read by anyone, Design by citizens only: moving a
    thread there must not show its poster to more people. Its text stays readable there."""
    poster = _attach(design, "poster.png", png())
    address = f"/attachments/{poster.pk}/poster.png"
    response = client_for(design.red.coordinator).post(
        f"/assemblies/red15m/posts/{design.post.pk}/trash/",
        {"reason": "Not a poster", "minutes": 60, "scope": "thread"},
    )
    assert response.status_code == 302
    assert Thread.objects.get(pk=design.post.thread_id).moved_to == "trash"
    visitor = client_for(None)
    thread_page = _page(visitor.get(f"/assemblies/red15m/threads/{design.post.thread_id}/"))
    assert "A first draft." in thread_page
    assert f"/attachments/{poster.pk}/" not in thread_page
    assert visitor.get(address).status_code == 404
    assert client_for(design.red.drafter).get(address).status_code == 404
    assert client_for(design.author).get(address).status_code == 200


@pytest.mark.parametrize(
    ("quiet_days", "archive"),
    [
        pytest.param(91, "History", id="history-by-inactivity"),
        pytest.param(181, "Trash", id="trash-by-age"),
    ],
)
def test_a_thread_archived_by_time_keeps_its_files_for_those_who_may_read_where_it_was_written(
    design: Design, quiet_days: int, archive: str
) -> None:
    """FOR-7, FOR-3: Design is read by citizens; History and the Trash by anyone. A Design
    thread moved there by time alone shows its text to all, as the record of what was said,
    but its poster only to those who may read Design: the others get the same 404 as for a
    file that does not exist, and the API lists nothing."""
    poster = _attach(design, "poster.png", png())
    address = f"/attachments/{poster.pk}/poster.png"
    thread_address = f"/assemblies/red15m/threads/{design.post.thread_id}/"
    listing = f"/api/v1/posts/{design.post.pk}/attachments"
    with time_machine.travel(timezone.now() + timedelta(days=quiet_days)):
        for outsider in (None, design.red.platform):
            reader = client_for(outsider)
            page = _page(reader.get(thread_address))
            assert f"This thread is now in {archive}." in page
            assert "A first draft." in page
            assert f"/attachments/{poster.pk}/" not in page
            assert reader.get(address).status_code == 404
            assert reader.get(f"/attachments/{poster.pk}/thumbnail/").status_code == 404
            assert reader.get(listing).json() == []
        citizen = client_for(design.red.drafter)
        assert citizen.get(address).status_code == 200
        assert [a["name"] for a in citizen.get(listing).json()] == ["poster.png"]
        assert f'<img src="/attachments/{poster.pk}/thumbnail/"' in _page(
            citizen.get(thread_address)
        )


def _launched_referendum(red: Red15m, coordinators: list[Any]) -> Proposal:
    """A RED15M referendum its proposer, a citizen, sees through to its vote: supported by
    three coordinators, its text approved by a drafter, launched."""
    proposed = client_for(red.citizen).post(
        "/assemblies/red15m/decisions/new/",
        {"kind": "referendum", "title": "Open a library?", "body": "See the plan."},
    )
    assert proposed.status_code == 302, _page(proposed)[:2000]
    proposal = Proposal.objects.get()
    for coordinator in coordinators[:3]:
        client_for(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
    client_for(red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    # Ready: the proposer may still add the plan.
    ready = attach_on_page(
        client_for(red.citizen), "proposal", proposal.pk, upload("plan.pdf", PDF)
    )
    assert "“plan.pdf” is attached" in _page(ready)
    client_for(coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    assert Vote.objects.filter(proposal=proposal).exists()
    return proposal


FILES_FIXED = (
    "Files are added to a proposal before it is put to the assembly: once people are "
    "deciding on it, they stay as they were."
)


def test_a_proposers_files_stay_as_they_were_once_the_vote_is_open(db: None) -> None:
    """FOR-7, VOTE-3: what is put to the vote does not change while people vote on it: the
    proposer may neither add a file nor take one away, on the page or through the API."""
    red, coordinators = build_red_voting()
    proposal = _launched_referendum(red, coordinators)
    proposer = client_for(red.citizen)
    refused = proposer.post(
        f"/api/v1/proposals/{proposal.pk}/attachments", {"file": upload("swap.pdf", PDF)}
    )
    assert refused.status_code == 403
    assert FILES_FIXED in refused.json()["detail"]
    page = attach_on_page(proposer, "proposal", proposal.pk, upload("swap.pdf", PDF))
    assert FILES_FIXED in _page(page)
    [plan] = Attachment.objects.all()
    assert plan.name == "plan.pdf"
    assert proposer.delete(f"/api/v1/attachments/{plan.pk}").status_code == 403
    assert Attachment.objects.get(pk=plan.pk).removed_at is None
    assert f'action="/attachments/on/proposal/{proposal.pk}/"' not in _page(
        proposer.get(f"/decisions/{proposal.pk}/")
    )


def test_a_consensus_proposal_takes_files_only_until_the_first_response(db: None) -> None:
    """FOR-7, VOTE-1: a consensus proposal is put to its round at once; its proposer may add
    the plan until someone has responded to it, not after."""
    harmony = build_harmony()
    ann, ben = harmony.members[:2]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Bike racks",
        body="See the plan.",
    )
    made = client_for(ann).post(
        f"/api/v1/proposals/{proposal.pk}/attachments", {"file": upload("plan.pdf", PDF)}
    )
    assert made.status_code == 201, made.content
    client_for(ben).post(f"/decisions/{proposal.pk}/respond/", {"response": "agree"})
    late = client_for(ann).post(
        f"/api/v1/proposals/{proposal.pk}/attachments", {"file": upload("late.pdf", PDF)}
    )
    assert late.status_code == 403
    assert FILES_FIXED in late.json()["detail"]
    assert list(Attachment.objects.values_list("name", flat=True)) == ["plan.pdf"]


def test_an_image_address_in_a_stored_text_must_be_exactly_an_attachments(
    design: Design,
) -> None:
    """FOR-7: the text shows an image only from an attachment's own address, its name
    percent-encoded as the platform writes it; a stored address that climbs out of it
    ("..", "%2e%2e", an encoded slash) to another page of the site is dropped when shown."""
    poster = _attach(design, "my poster.png", png())
    author = client_for(design.author)
    author.post(
        f"/assemblies/red15m/posts/{design.post.pk}/edit/",
        {"body": f"![poster](attachment:{poster.pk})"},
    )
    own = f'src="/attachments/{poster.pk}/my%20poster.png"'
    thread_address = f"/assemblies/red15m/threads/{design.post.thread_id}/"
    assert own in _page(author.get(thread_address))

    climbing = [
        f"/attachments/{poster.pk}/..",
        f"/attachments/{poster.pk}/%2e%2e",
        f"/attachments/{poster.pk}/.%2E",
        f"/attachments/{poster.pk}/..%2faccounts%2flogout",
        f"/attachments/{poster.pk}/a%5c..%5clogout",
        f"/attachments/{poster.pk}/../../accounts/logout/",
    ]
    tampered = Post.objects.get(pk=design.post.pk).body_html + "".join(
        f'<p><img alt="climb" src="{src}"></p>' for src in climbing
    )
    Post.objects.filter(pk=design.post.pk).update(body_html=tampered)
    page = _page(author.get(thread_address))
    first_post = page.split(f'id="post-{design.post.pk}"')[1].split('id="post-')[0]
    assert own in first_post
    assert 'alt="climb"' not in first_post


def test_a_proposal_in_a_closed_assembly_takes_no_files(db: None) -> None:
    """FOR-7, issue 13: nothing new is done in a closed assembly, files on a proposal
    included: the proposer is told why, and nothing is saved."""
    harmony = build_harmony()
    ann = harmony.members[0]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Bike racks",
        body="See the plan.",
    )
    type(harmony.assembly).objects.filter(pk=harmony.assembly.pk).update(closed_at=timezone.now())
    refused = client_for(ann).post(
        f"/api/v1/proposals/{proposal.pk}/attachments", {"file": upload("plan.pdf", PDF)}
    )
    assert refused.status_code == 403
    assert "This assembly was closed on" in refused.json()["detail"]
    assert not Attachment.objects.exists()
