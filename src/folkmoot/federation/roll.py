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
   applies the roll in batches (`apply_roll`), counting its progress for the page's bar, and
   keeps a summary of what it changed. One audit entry records the import.
4. `roll_csv` exports the roll as it stands.

The roll is the whole list: applying it twice changes nothing the second time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from folkmoot.accounts.attributes import CommunityAttribute
from folkmoot.accounts.models import User
from folkmoot.audit.log import record
from folkmoot.governance.membership import Status
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import NotFound, Refused

from .models import Assembly, Invitation, Membership, RollImport

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
BATCH = 1_000
EXAMPLES = 20  # names shown per group in the preview
COLUMNS = {  # what a header may say → the column
    "email": "email",
    "e-mail": "email",
    "email_address": "email",
    "name": "name",
    "display_name": "name",
    "member_since": "since",
    "since": "since",
    "birth_date": "birth",
    "date_of_birth": "birth",
    "birthdate": "birth",
    "attributes": "attributes",
}
REQUIRED = ("email", "name", "since")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass
class Parsed:
    rows: list[list[Any]]  # [email, name, since ISO, birth ISO or None, attributes]
    problems: list[list[Any]]  # [line, reason]
    # The emails of rows left out: those people keep their status (a typo in a member's row
    # must not take their vote away).
    held: list[str]


def _refuse(template: str, **params: Any) -> Refused:
    return Refused.because(Reason("roll_unreadable", template, params))


EARLIEST = date(1900, 1, 1)


def _date(text: str) -> date | None:
    """A day written as 2025-09-14 or 14/09/2025, from 1900 on."""
    for form in DATE_FORMATS:
        try:
            found = datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
        return found if found >= EARLIEST else None
    return None


def _reader(text: str) -> Iterator[list[str]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def parse_roll(data: bytes, today: date) -> Parsed:
    """Every good row, and every bad row's line (as a spreadsheet numbers it) and reason.
    Raises Refused when the file as a whole cannot be read."""
    if len(data) > MAX_BYTES:
        raise _refuse(gettext_noop("The file is larger than 10 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise _refuse(
            gettext_noop("The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8.")
        ) from bad
    if "\x00" in text:
        raise _refuse(gettext_noop("The file is not a CSV file."))
    try:
        return _parse_lines(_reader(text), today)
    except csv.Error as broken:  # a cell over the csv module's limit, a stray quote…
        raise _refuse(
            gettext_noop("The file is not a CSV file the roll can read: %(error)s."),
            error=str(broken),
        ) from broken


def _parse_lines(lines: Iterator[list[str]], today: date) -> Parsed:
    header = next(lines, None)
    if not header:
        raise _refuse(gettext_noop("The file is empty."))
    columns = [COLUMNS.get(h.strip().lower().replace(" ", "_"), "") for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise _refuse(
            gettext_noop("The first line must name the columns; missing: %(columns)s."),
            columns=", ".join({"since": "member_since"}.get(c, c) for c in missing),
        )
    rows: list[list[Any]] = []
    problems: list[list[Any]] = []
    held: list[str] = []
    seen: dict[str, int] = {}
    known = set(CommunityAttribute.values)
    for number, cells in enumerate(lines, start=2):
        if len(rows) + len(problems) >= MAX_ROWS:
            raise _refuse(gettext_noop("The roll has more than 100,000 rows."))
        if not any(c.strip() for c in cells):
            continue
        row = {col: cells[i].strip() for i, col in enumerate(columns) if col and i < len(cells)}
        reason = _problem(row, seen, known, today)
        if reason:
            problems.append([number, reason])
            held.append(row.get("email", "").lower())
            continue
        email = row["email"].lower()
        seen[email] = number
        birth = _date(row["birth"]) if row.get("birth") else None
        rows.append(
            [
                email,
                row["name"],
                _date(row["since"]).isoformat(),  # type: ignore[union-attr]
                birth.isoformat() if birth else None,
                sorted(set(row.get("attributes", "").replace("|", " ").split())),
            ]
        )
    return Parsed(rows, problems, [e for e in held if e])


def _problem(row: dict[str, str], seen: dict[str, int], known: set[str], today: date) -> str:
    """The reason a row is refused, in the uploader's language, or ""."""
    email = row.get("email", "").lower()
    if not email:
        return _("no email")
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not an email address") % {"email": email}
    if email in seen:
        return _("%(email)s is already on line %(line)s") % {"email": email, "line": seen[email]}
    if not row.get("name"):
        return _("no name")
    if len(row["name"]) > 80:
        return _("the name is longer than 80 characters")
    since = _date(row.get("since", ""))
    if since is None:
        return _("“%(value)s” is not a date (write 2025-09-14 or 14/09/2025)") % {
            "value": row.get("since", "")
        }
    if since > today:
        return _("member since a day still to come")
    if row.get("birth"):
        birth = _date(row["birth"])
        if birth is None:
            return _("the birth date “%(value)s” is not a date") % {"value": row["birth"]}
        if birth > today:
            return _("a birth date still to come")
    unknown = sorted(set(row.get("attributes", "").replace("|", " ").split()) - known)
    if unknown:
        return _("unknown attribute: %(names)s") % {"names": ", ".join(unknown)}
    return ""


def _members(federation: Assembly) -> dict[str, tuple[int, str]]:
    """Email → (person id, status) of everyone taking part in the federation now."""
    return {
        email.lower(): (pk, status)
        for pk, email, status in Membership.objects.active()
        .filter(assembly=federation)
        .values_list("user_id", "user__email", "status")
    }


def _accounts(emails: list[str]) -> dict[str, int]:
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
    members = _members(federation)
    accounts = _accounts([r[0] for r in rows])
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
        raise _refuse(gettext_noop("The roll has no rows under its first line."))
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
        accounts = {email: pk for email, (pk, _s) in _members(federation).items()}
        accounts.update(_accounts([r[0] for r in groups["join"]]))
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
    promoted = [accounts[r[0]] for kind, r in batch if kind == "promote" and r[0] in accounts]
    if promoted:
        Membership.objects.active().filter(user_id__in=promoted).filter(
            Q(assembly=federation) | Q(assembly__root=federation)
        ).update(status=Status.MEMBER)
        summary["promoted"] += len(promoted)
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
