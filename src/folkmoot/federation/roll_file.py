"""Reading a member roll (MEM-1, issue 13): a CSV file of email, name, member since, an
optional birth date and attributes. Every good row is kept and every bad row's line and
reason; a file that cannot be read at all (not UTF-8, a required column missing, too big)
is refused whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from folkmoot.accounts.attributes import CommunityAttribute
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import Refused

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
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


def refuse(template: str, **params: Any) -> Refused:
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
        raise refuse(gettext_noop("The file is larger than 10 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise refuse(
            gettext_noop("The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8.")
        ) from bad
    if "\x00" in text:
        raise refuse(gettext_noop("The file is not a CSV file."))
    try:
        return _parse_lines(_reader(text), today)
    except csv.Error as broken:  # a cell over the csv module's limit, a stray quote…
        raise refuse(
            gettext_noop("The file is not a CSV file the roll can read: %(error)s."),
            error=str(broken),
        ) from broken


def _parse_lines(lines: Iterator[list[str]], today: date) -> Parsed:
    header = next(lines, None)
    if not header:
        raise refuse(gettext_noop("The file is empty."))
    columns = [COLUMNS.get(h.strip().lower().replace(" ", "_"), "") for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise refuse(
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
            raise refuse(gettext_noop("The roll has more than 100,000 rows."))
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
