"""The paying-member roll (MEM-1, issue 13). General secretaries keep it by importing a CSV
file (email, name, member since; an optional birth date; an attributes column is checked
but never written into a profile, since community attributes are each person's to declare
with consent):

1. `check_roll_upload` reads the file and keeps every good row and every bad row's line and
   reason; a file that cannot be read at all (not UTF-8, a required column missing, too big)
   is refused whole. Nothing changes.
2. The preview (`preview_of`) says who becomes a member, who stops being one (members not
   on the roll become participants: they may still take part, not vote), whose email is
   unknown (they will be invited), and who stays.
3. `check_confirm_roll` queues the background task (`federation.tasks.apply_roll`), which
   applies the roll in batches (`roll_apply.apply_roll`), counting its progress for the page's bar, and
   keeps a summary of what it changed. One audit entry records the import.
4. `roll_csv` exports the roll as it stands.

The roll is the whole list: applying it twice changes nothing the second time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.audit.log import record
from folkmoot.governance.membership import Status
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import NotFound, Refused

from .models import Assembly, Membership, RollImport
from .roll_file import Parsed, parse_roll, refuse

EXAMPLES = 20  # names shown per group in the preview


def members_by_email(federation: Assembly) -> dict[str, tuple[int, str]]:
    """Email → (person id, status) of everyone taking part in the federation now."""
    return {
        email.lower(): (pk, status)
        for pk, email, status in Membership.objects.active()
        .filter(assembly=federation)
        .values_list("user_id", "user__email", "status")
    }


def accounts_by_email(emails: list[str]) -> dict[str, int]:
    """Lower-cased email → account id, whatever case the account was created with."""
    found: dict[str, int] = {}
    for start in range(0, len(emails), 5_000):
        chunk = emails[start : start + 5_000]
        for pk, email in (
            User.objects.annotate(folded=Lower("email"))
            .filter(folded__in=chunk)
            .values_list("pk", "folded")
        ):
            found[email] = pk
    return found


def plan(
    federation: Assembly,
    rows: list[list[Any]],
    held: list[str] = (),  # type: ignore[assignment]
) -> dict[str, list[Any]]:
    """Who becomes a member, who joins as one, who stays, who stops, who is invited. The
    emails of rows left out (`held`) are not taken for people who stop."""
    members = members_by_email(federation)
    accounts = accounts_by_email([r[0] for r in rows])
    on_roll = {r[0] for r in rows} | set(held)
    out: dict[str, list[Any]] = {"join": [], "promote": [], "stay": [], "invite": [], "stop": []}
    for row in rows:
        email = row[0]
        if email in members:
            out["stay" if members[email][1] == Status.MEMBER else "promote"].append(row)
        elif email in accounts:
            out["join"].append(row)
        else:
            out["invite"].append(row)
    out["stop"] = [
        [email, pk]
        for email, (pk, status) in members.items()
        if status == Status.MEMBER and email not in on_roll
    ]
    return out


def preview_of(federation: Assembly, parsed: Parsed) -> dict[str, Any]:
    groups = plan(federation, parsed.rows, parsed.held)
    names = dict(
        User.objects.filter(pk__in=[pk for _e, pk in groups["stop"][:EXAMPLES]]).values_list(
            "pk", "display_name"
        )
    )
    return {
        "counts": {key: len(value) for key, value in groups.items()},
        "problems": len(parsed.problems),
        "held": parsed.held,
        "examples": {
            "become": [r[1] for r in (groups["promote"] + groups["join"])[:EXAMPLES]],
            "invite": [r[0] for r in groups["invite"][:EXAMPLES]],
            "stop": [names.get(pk, email) for email, pk in groups["stop"][:EXAMPLES]],
        },
    }


def access_roll(user: Any, federation: Assembly) -> None:
    """The general secretaries (or staff) keep the roll; to anyone else it is missing."""
    if not federation.is_root:
        raise Refused.because(
            Reason(
                "status_at_root",
                gettext_noop("Member status is recorded by the federation, not here."),
            )
        )
    if not keeps_the_roll(user, federation):
        raise NotFound(federation.slug)


def keeps_the_roll(user: Any, federation: Assembly) -> bool:
    """Staff, or a holder of an office with the manage_members power at the federation, not
    suspended from it (OFF-6): Harmony's general secretaries, RED15M's coordinators."""
    from folkmoot.governance.audience import has_power
    from folkmoot.protocols.facts import viewer_for
    from folkmoot.protocols.selectors import protocol_in_force

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    in_force = protocol_in_force(federation)
    if in_force is None:
        return False
    return has_power(
        in_force.protocol, viewer_for(user, federation, in_force.protocol), "manage_members"
    )


def check_roll_upload(user: Any, federation: Assembly, data: bytes, filename: str) -> RollImport:
    access_roll(user, federation)
    parsed = parse_roll(data, timezone.localdate())
    if not parsed.rows and not parsed.problems:
        raise refuse(gettext_noop("The roll has no rows under its first line."))
    return RollImport.objects.create(
        federation=federation,
        uploaded_by=user,
        filename=filename[:200],
        rows=parsed.rows,
        problems=parsed.problems,
        preview=preview_of(federation, parsed),
        total=len(parsed.rows),
    )


def access_import(user: Any, federation: Assembly, pk: int) -> RollImport:
    access_roll(user, federation)
    found = RollImport.objects.filter(pk=pk, federation=federation).first()
    if found is None:
        raise NotFound(pk)
    return found


def check_confirm_roll(user: Any, roll: RollImport) -> RollImport:
    """Queue it once; the task does the work (a second click finds it queued)."""
    from .tasks import apply_roll_task

    if RollImport.objects.filter(
        federation=roll.federation,
        created_at__gt=roll.created_at,
        state__in=[RollImport.State.QUEUED, RollImport.State.RUNNING, RollImport.State.DONE],
    ).exists():
        raise Refused.because(
            Reason(
                "roll_outdated",
                gettext_noop(
                    "A newer roll was applied since this one was checked: upload it again."
                ),
            )
        )
    with transaction.atomic():
        claimed = RollImport.objects.filter(pk=roll.pk, state=RollImport.State.PREVIEWED).update(
            state=RollImport.State.QUEUED, confirmed_at=timezone.now()
        )
    if not claimed:
        raise Refused.because(
            Reason("roll_started", gettext_noop("This roll has already been confirmed."))
        )
    record(
        "roll.confirm",
        actor=user,
        assembly=roll.federation,
        subject=roll,
        rows=roll.total,
        problems=len(roll.problems),
    )
    transaction.on_commit(lambda: apply_roll_task.enqueue(roll.pk))
    roll.refresh_from_db()
    return roll


def roll_csv(federation: Assembly) -> Iterator[str]:
    """The roll as it stands: the members of the federation, one line each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "name", "member_since"])
    yield buffer.getvalue()
    rows = (
        Membership.objects.active()
        .filter(assembly=federation, status=Status.MEMBER)
        .order_by("user__email")
        .values_list("user__email", "user__display_name", "started_at")
    )
    for email, name, since in rows.iterator(chunk_size=2_000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_safe(email), _safe(name), timezone.localtime(since).date().isoformat()])
        yield buffer.getvalue()


def _safe(cell: str) -> str:
    """A name that a spreadsheet would run as a formula is written as text (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
