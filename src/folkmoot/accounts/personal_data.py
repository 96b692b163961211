"""A person's own data (UK GDPR, issue 13): everything the site keeps about them, as JSON,
and the deletion of their account.

The export holds their profile, memberships, offices, candidacies, posts, threads, chat
messages, proposals, the images and files they attached, consensus responses, the votes
they took part in (and, for public votes only, what they voted: a secret ballot is linked
to nobody, so it cannot be given), sanctions on them, reports they made and their requests
to join.

Deleting the account keeps what they wrote and did where it is (the protocol's "nothing is
deleted" covers content, and the images and files they attached to it: images were stored
without their metadata, other files as they were uploaded, FOR-7), and removes who they
were: the row stays, shown as "a former member", with no name, email, birth date,
attributes or password; their public ballots become anonymous; secret ballots stay counted
and unlinkable, as they always were; their memberships and offices end; their sessions, API
tokens, email addresses, notifications and open invitations go."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.conversations.personal import export_of as private_messages
from folkmoot.conversations.personal import forget as forget_conversations

from .models import ApiToken, User


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def export_of(user: User) -> dict[str, Any]:
    from folkmoot.amendments.models import AmendmentSupport, TextAmendment
    from folkmoot.attachments.selectors import uploads_of
    from folkmoot.chat.models import ChatMessage
    from folkmoot.decisions.models import Ballot, ConsensusResponse, Participation, Proposal
    from folkmoot.federation.models import JoinRequest, Membership
    from folkmoot.forums.models import Post, Thread
    from folkmoot.moderation.models import OfficeMisconduct, OfficeSuspension, Report, Sanction
    from folkmoot.offices.models import Candidacy, Tenure

    public = dict(
        Ballot.objects.filter(voter=user).values_list("vote_id", "marks")
    )  # public votes only: a secret ballot has no voter
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": user.public_id,
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "birth_date": _when(user.birth_date),
            "attributes": list(user.attributes or []),
            "attributes_consented_at": _when(user.attributes_consented_at),
            "date_joined": _when(user.date_joined),
        },
        "memberships": [
            {
                "assembly": m.assembly.slug,
                "status": m.status,
                "since": _when(m.started_at),
                "until": _when(m.ended_at),
            }
            for m in Membership.objects.filter(user=user).select_related("assembly")
        ],
        "offices": [
            {
                "assembly": t.office.assembly.slug,
                "office": t.office.slug,
                "since": _when(t.started_at),
                "until": _when(t.ended_at or t.until),
                "absences": [  # OFF-6: the notices they gave, with their reasons
                    {"from": str(a.starts_on), "to": str(a.ends_on), "reason": a.reason}
                    for a in t.absences.all()
                ],
            }
            for t in Tenure.objects.filter(holder=user)
            .select_related("office__assembly")
            .prefetch_related("absences")
        ],
        "candidacies": [
            {"assembly": c.office.assembly.slug, "office": c.office.slug, "statement": c.statement}
            for c in Candidacy.objects.filter(person=user).select_related("office__assembly")
        ],
        "moots": _moots_of(user),
        "threads": [
            {"id": t.pk, "assembly": t.assembly.slug, "title": t.title, "at": _when(t.created_at)}
            for t in Thread.objects.filter(author=user).select_related("assembly")
        ],
        "posts": [
            {
                "id": p.pk,
                "thread": p.thread_id,
                "at": _when(p.created_at),
                "body": p.body,
                "in_trash": p.trashed_at is not None,
            }
            for p in Post.objects.filter(author=user).order_by("created_at").iterator()
        ],
        "chat_messages": [
            {"assembly": m.assembly_id, "room": m.room, "at": _when(m.created_at), "body": m.body}
            for m in ChatMessage.objects.filter(author=user).order_by("created_at").iterator()
        ],
        # FOR-6: their conversations and the messages they wrote (conversations.personal).
        "private_messages": private_messages(user),
        "proposals": [
            {"id": p.pk, "title": p.title, "at": _when(p.created_at)}
            for p in Proposal.objects.filter(proposer=user)
        ],
        # VOTE-14: the amendments they wrote, with the proposer's answer, and those they
        # supported.
        "text_amendments": [
            {
                "proposal": a.proposal_id,
                "number": a.number,
                "passage": a.passage,
                "replacement": a.replacement,
                "why": a.why,
                "at": _when(a.created_at),
                "accepted": a.accepted,
                "answer": a.answer,
                "withdrawn_at": _when(a.withdrawn_at),
            }
            for a in TextAmendment.objects.filter(author=user)
        ],
        "amendments_supported": [
            {"proposal": proposal, "number": number}
            for proposal, number in AmendmentSupport.objects.filter(person=user).values_list(
                "amendment__proposal_id", "amendment__number"
            )
        ],
        # FOR-7: the images and files they added (their bytes are on the things' pages).
        "uploads": uploads_of(user),
        "consensus_responses": [
            {
                "proposal": r.proposal_id,
                "round": r.round,
                "response": r.response,
                "reason": r.reason,
            }
            for r in ConsensusResponse.objects.filter(person=user)
        ],
        "votes_taken_part_in": [
            {
                "vote": p.vote_id,
                "title": p.vote.title,
                "secret": p.vote.secret,
                # What they voted, only where the vote was public (VOTE-11).
                "public_ballot": public.get(p.vote_id),
            }
            for p in Participation.objects.filter(person=user).select_related("vote")
        ],
        "sanctions": [
            {
                "assembly": s.assembly.slug,
                "level": s.level,
                "reason": s.reason,
                "at": _when(s.imposed_at),
            }
            for s in Sanction.objects.filter(person=user).select_related("assembly")
        ],
        # Art. 7, OFF-6: what they earned in an office, as public as sanctions are.
        "office_misconducts": [
            {
                "assembly": m.assembly.slug,
                "office": m.office,
                "reason": m.reason,
                "at": _when(m.imposed_at),
                "barred_from": _when(m.serves_from),
                "barred_until": _when(m.ends_at),
            }
            for m in OfficeMisconduct.objects.filter(holder=user).select_related("assembly")
        ],
        "office_suspensions": [
            {
                "assembly": s.assembly.slug,
                "office": s.office,
                "reason": s.reason,
                "at": _when(s.imposed_at),
            }
            for s in OfficeSuspension.objects.filter(holder=user).select_related("assembly")
        ],
        "reports_made": [
            {"post": r.post_id, "kind": r.kind, "at": _when(r.created_at)}
            for r in Report.objects.filter(reporter=user)
        ],
        "join_requests": [
            {"assembly": j.assembly.slug, "message": j.message, "at": _when(j.created_at)}
            for j in JoinRequest.objects.filter(user=user).select_related("assembly")
        ],
        "api_tokens": [
            {"name": t.name, "created_at": _when(t.created_at), "revoked_at": _when(t.revoked_at)}
            for t in ApiToken.objects.filter(user=user)
        ],
    }


def _moots_of(user: User) -> dict[str, Any]:
    """Issue 14: the moots they said they come to, and the points they added."""
    from folkmoot.moots.models import AgendaPoint, Registration

    return {
        "registrations": [
            {"moot": r.moot_id, "title": r.moot.title, "coming": r.mode, "since": _when(r.since)}
            for r in Registration.objects.filter(person=user).select_related("moot")
        ],
        "points": [
            {"moot": p.moot_id, "point": p.title, "notes": p.notes, "state": p.state}
            for p in AgendaPoint.objects.filter(added_by=user)
        ],
    }


def _free_seats(user: User) -> None:
    """Issue 14: an erased account comes to no moot; its seat goes to whoever waits (told)."""
    from folkmoot.moots.actions import do_register
    from folkmoot.moots.models import Registration

    for registration in (
        Registration.objects.filter(person=user, moot__ends_at__gt=timezone.now())
        .exclude(mode=Registration.Mode.REGRETS)
        .select_related("moot__assembly")
    ):
        do_register(user=user, moot=registration.moot, mode=Registration.Mode.REGRETS)


def _keep_public_record(user: User) -> None:
    """Tenures of offices whose protocol makes them a public record keep the holder's name
    (issue 13); the others will read "a former member"."""
    from folkmoot.offices.models import Tenure
    from folkmoot.protocols.selectors import protocol_in_force

    tenures = list(Tenure.objects.filter(holder=user).select_related("office__assembly__root"))
    rules: dict[int, Any] = {}
    kept = []
    for tenure in tenures:
        assembly = tenure.office.assembly
        if assembly.pk not in rules:
            in_force = protocol_in_force(assembly)
            rules[assembly.pk] = in_force.protocol.offices if in_force is not None else {}
        rule = rules[assembly.pk].get(tenure.office.slug)
        if rule is not None and rule.public_record:
            kept.append(tenure.pk)
    Tenure.objects.filter(pk__in=kept).update(holder_name=user.display_name[:80])


@transaction.atomic
def do_erase_account(*, user: User) -> User:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from folkmoot.decisions.models import Ballot
    from folkmoot.federation.models import Invitation, JoinRequest, Membership, RollImport
    from folkmoot.notifications.models import EmailPreference, Notification
    from folkmoot.offices.models import Absence, Candidacy, Tenure

    now = timezone.now()
    email = user.email
    Ballot.objects.filter(voter=user).update(voter=None)  # public ballots: now anonymous
    _keep_public_record(user)
    _free_seats(user)
    Membership.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now)
    Tenure.objects.filter(holder=user, ended_at__isnull=True).update(ended_at=now)
    Candidacy.objects.filter(person=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
    # The reasons of their absences were theirs to give (health, family): the dates stay on a
    # public record's tenure, the reasons go.
    Absence.objects.filter(tenure__holder=user).update(reason="")
    JoinRequest.objects.filter(user=user, decided_at__isnull=True).update(
        decided_at=now, approved=False
    )
    # Invitations name them (email, name, birth date): they go, accepted or not.
    Invitation.objects.filter(email__iexact=email).delete()
    # A roll not applied yet still lists them: their row goes from it. (An applied roll
    # keeps no rows, only what it changed.)
    for roll in RollImport.objects.exclude(state=RollImport.State.DONE).exclude(rows=[]):
        kept = [row for row in roll.rows if str(row[0]).lower() != email.lower()]
        if len(kept) != len(roll.rows):
            RollImport.objects.filter(pk=roll.pk).update(rows=kept, total=len(kept))
    forget_conversations(user)  # FOR-6: they leave them; what they wrote stays
    Authenticator.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    EmailPreference.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.email = f"erased-{user.public_id}@erased.invalid"
    user.display_name = ""
    user.birth_date = None
    user.attributes = []
    user.attributes_consented_at = None
    user.language = ""
    user.is_active = user.is_staff = user.is_superuser = False
    # Every session ends by itself: each carries a hash of the password, which Django checks
    # on every request (as after a password change, accounts.actions).
    user.set_unusable_password()
    user.erased_at = now
    user.save()
    record("account.erase", actor=user, subject=user)
    return user
