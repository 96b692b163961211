"""Applying a confirmed member roll (MEM-1, issue 13) in the background, a batch at a time,
telling everyone whose status it changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.audit.log import record
from folkmoot.governance.membership import Status
from folkmoot.notifications.send import notify

from .models import Assembly, Invitation, Membership, RollImport
from .roll import accounts_by_email, members_by_email, plan

BATCH = 1_000


def _aware(day: str) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), datetime.min.time()))


def apply_roll(roll_id: int) -> dict[str, int]:
    """Apply a confirmed roll, a batch at a time (each its own transaction, so the page's
    progress bar moves and a failure keeps what was done). Safe to run twice: the state is
    claimed first, and applying the same roll again finds nothing to change."""
    if not RollImport.objects.filter(pk=roll_id, state=RollImport.State.QUEUED).update(
        state=RollImport.State.RUNNING
    ):
        return {}
    roll = RollImport.objects.select_related("federation").get(pk=roll_id)
    federation = roll.federation
    try:
        groups = plan(federation, roll.rows, roll.preview.get("held", []))
        summary = {key: 0 for key in ("joined", "promoted", "stayed", "invited", "stopped")}
        summary["stayed"] = len(groups["stay"])
        done = len(groups["stay"])
        # Lower-cased email → person id, for everyone the roll names who has an account.
        accounts = {email: pk for email, (pk, _s) in members_by_email(federation).items()}
        accounts.update(accounts_by_email([r[0] for r in groups["join"]]))
        work = [("join", r) for r in groups["join"]] + [("promote", r) for r in groups["promote"]]
        work += [("invite", r) for r in groups["invite"]]
        for start in range(0, len(work), BATCH):
            batch = work[start : start + BATCH]
            with transaction.atomic():
                _apply_batch(federation, roll, batch, accounts, summary)
            done += len(batch)
            RollImport.objects.filter(pk=roll.pk).update(done=done)
        with transaction.atomic():
            stopped = [pk for _email, pk in groups["stop"]]
            for start in range(0, len(stopped), BATCH):
                chunk = stopped[start : start + BATCH]
                Membership.objects.active().filter(user_id__in=chunk).filter(
                    Q(assembly=federation) | Q(assembly__root=federation)
                ).update(status=Status.PARTICIPANT)
                _tell(roll, chunk, "stopped")
            summary["stopped"] = len(stopped)
            # Invitations of earlier rolls for people this one no longer lists lapse.
            Invitation.objects.filter(
                federation=federation, accepted_at__isnull=True, cancelled_at__isnull=True
            ).exclude(email__in=[r[0] for r in groups["invite"]]).update(
                cancelled_at=timezone.now()
            )
            # Applied, the rows go: the people's data is in their accounts and invitations,
            # and the import keeps what it changed, not a copy of everyone on the roll.
            RollImport.objects.filter(pk=roll.pk).update(
                state=RollImport.State.DONE,
                done=roll.total,
                summary=summary,
                finished_at=timezone.now(),
                rows=[],
                preview={"counts": roll.preview.get("counts", {}), "problems": len(roll.problems)},
            )
            record(
                "roll.applied", actor=roll.uploaded_by, assembly=federation, subject=roll, **summary
            )
    except Exception:
        RollImport.objects.filter(pk=roll.pk).update(
            state=RollImport.State.FAILED, finished_at=timezone.now()
        )
        raise
    from .invitations import ask_to_send_invitations

    transaction.on_commit(ask_to_send_invitations)
    return summary


def _apply_batch(
    federation: Assembly,
    roll: RollImport,
    batch: list[tuple[str, list[Any]]],
    accounts: dict[str, int],
    summary: dict[str, int],
) -> None:
    joining = [(accounts[r[0]], r) for kind, r in batch if kind == "join" and r[0] in accounts]
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=pk, assembly=federation, status=Status.MEMBER, started_at=_aware(r[2])
            )
            for pk, r in joining
        ],
        ignore_conflicts=True,  # joined meanwhile: the status update below still applies
    )
    summary["joined"] += len(joining)
    _tell(roll, [pk for pk, _r in joining], "joined")
    promoted = [accounts[r[0]] for kind, r in batch if kind == "promote" and r[0] in accounts]
    if promoted:
        Membership.objects.active().filter(user_id__in=promoted).filter(
            Q(assembly=federation) | Q(assembly__root=federation)
        ).update(status=Status.MEMBER)
        summary["promoted"] += len(promoted)
        _tell(roll, promoted, "member")
    _profiles(batch, accounts)
    invites = [r for kind, r in batch if kind == "invite"]
    open_ = set(
        Invitation.objects.filter(
            federation=federation,
            email__in=[r[0] for r in invites],
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        ).values_list("email", flat=True)
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                federation=federation,
                email=r[0],
                name=r[1],
                member_since=date.fromisoformat(r[2]),
                birth_date=date.fromisoformat(r[3]) if r[3] else None,
                attributes=r[4],
                roll=roll,
            )
            for r in invites
            if r[0] not in open_
        ],
        ignore_conflicts=True,
    )
    summary["invited"] += len(invites)


def _tell(roll: RollImport, people: list[int], occasion: str) -> None:
    """Everyone whose status the roll changes hears of it (issue 13), once per roll."""
    notify(
        "roll_status",
        people,
        actor=roll.uploaded_by_id,
        assembly=roll.federation_id,
        subject=roll,
        occasion=occasion,
    )


def _profiles(batch: list[tuple[str, list[Any]]], accounts: dict[str, int]) -> None:
    """A birth date the person has not given. The roll's attributes are not written into
    anyone's profile: community attributes are special-category data, declared by each
    person with their consent (issue 13)."""
    wanted = {
        accounts[r[0]]: r for kind, r in batch if kind != "invite" and r[3] and r[0] in accounts
    }
    if not wanted:
        return
    people = list(User.objects.filter(pk__in=list(wanted), birth_date__isnull=True).only("pk"))
    for person in people:
        person.birth_date = date.fromisoformat(wanted[person.pk][3])
    User.objects.bulk_update(people, ["birth_date"], batch_size=BATCH)
