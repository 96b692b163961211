"""The email side of notifications, run by the worker only (`folkmoot settle`). Pages and
actions write notification rows; here the rows not yet mailed are claimed (a row lock that
other workers skip on PostgreSQL) and marked in one transaction, then sent: at once for the
kinds a person wants by email, grouped into one daily or weekly digest for the kinds they
want in their digest. A row is claimed once, so nobody gets the same email twice, whichever
worker or how many.

Every email carries a signed link that stops that kind of email without signing in, and the
List-Unsubscribe headers (RFC 2369, RFC 8058) that mail programs show as a button."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from .kinds import KINDS, describe, place, with_context
from .models import EmailPreference, Notification

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "folkmoot.notifications.unsubscribe"
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _one_line(text: str) -> str:
    """A subject is one header line: a title typed with line breaks must not break it."""
    return " ".join(text.split())


def unsubscribe_token(user_id: int, kind: str) -> str:
    """`kind` is a notification kind, or "digest" for the digest email as a whole."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or (kind not in KINDS and kind != "digest"):
        return None
    return user_id, kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(user_id, kind)])


def _email(user: Any, subject: str, body: str, kind: str) -> EmailMessage:
    link = unsubscribe_url(user.pk, kind)
    return EmailMessage(
        subject=_one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _footer(user: Any, kind: str) -> str:
    if kind == "digest":
        stop = gettext("Stop the digest: %(url)s")
    else:
        stop = gettext("Stop these emails: %(url)s")
    return (
        "\n\n-- \n"
        + stop % {"url": unsubscribe_url(user.pk, kind)}
        + "\n"
        + gettext("Choose which emails you receive: %(url)s")
        % {"url": settings.SITE_URL + reverse("notification-preferences")}
    )


def _language(user: Any) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def message(n: Notification) -> EmailMessage:
    """One notification, one email, in its reader's language."""
    with translation.override(_language(n.user)):
        told = describe(n)
        body = (
            told.text
            + "\n\n"
            + f"{told.action}: {settings.SITE_URL}{told.url}"
            + _footer(n.user, n.kind)
        )
        return _email(n.user, f"[{settings.SITE_NAME}] {told.text}", body, n.kind)


def digest(user: Any, rows: list[Notification]) -> EmailMessage:
    """Everything a person chose to read in their digest, grouped by assembly."""
    with translation.override(_language(user)):
        subject = ngettext(
            "%(site)s: %(n)d thing since your last digest",
            "%(site)s: %(n)d things since your last digest",
            len(rows),
        ) % {"site": settings.SITE_NAME, "n": len(rows)}
        groups: dict[str, list[str]] = defaultdict(list)
        for n in sorted(rows, key=lambda r: r.created_at):
            told = describe(n)
            found = place(n)
            where = str(found.title) if found is not None else settings.SITE_NAME
            groups[where].append(f"- {told.text}\n  {settings.SITE_URL}{told.url}")
        parts = [
            f"{where}\n{'=' * min(len(where), 60)}\n" + "\n".join(lines)
            for where, lines in groups.items()
        ]
        return _email(user, subject, "\n\n".join(parts) + _footer(user, "digest"), "digest")


def _preferences(user_ids: set[int]) -> dict[int, EmailPreference]:
    return {p.user_id: p for p in EmailPreference.objects.filter(user_id__in=user_ids)}


def _still_wants(pref: EmailPreference | None, n: Notification, channel: str) -> bool:
    """Asked again when mailing: someone who changed their mind is not mailed what waits."""
    now = pref.channel(n.kind) if pref is not None else KINDS[n.kind].default
    return now == channel and bool(n.user.email)


def _claim(now: datetime, batch: int) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            with_context(
                Notification.objects.filter(mailed_at__isnull=True, channel="email")
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .order_by("id")
            )[:batch]
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mailed_at=now)
    return rows


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    try:
        with mailers.default as mailer:  # one connection for the whole batch
            return int(mailer.send_messages(messages) or 0)
    except (OSError, ValueError):
        # The site works on without a mail server (the notices are on the site); a claimed
        # batch is not retried, so a mail outage never floods people later.
        log.exception("could not send %s notification emails", len(messages))
        return 0


def mail_pending(
    now: datetime,
    *,
    batch: int = 2_000,
    max_batches: int = 200,
    max_seconds: float = 300,
    digests: bool = True,
) -> int:
    """Mail what is waiting, a batch at a time, bounded in count and time; what is left waits
    for the next pass. Returns how many emails were handed to the mail backend. `digests`:
    also the digests that are due (the worker's pass; not the delivery task)."""
    sent = 0
    began = time.monotonic()
    for _ in range(max_batches):
        rows = _claim(now, batch)
        if not rows:
            break
        prefs = _preferences({n.user_id for n in rows})
        sent += _send([message(n) for n in rows if _still_wants(prefs.get(n.user_id), n, "email")])
        if time.monotonic() - began > max_seconds:
            break
    return sent + (mail_digests(now) if digests else 0)


def emails_waiting() -> bool:
    """Whether an email notice waits to be mailed (the partial index of `_claim`)."""
    return Notification.objects.filter(mailed_at__isnull=True, channel="email").exists()


def digests_due(now: datetime, limit: int = 1_000) -> list[int]:
    """The people whose digest is due: something waits in it, and a whole period has passed
    since their last digest (or, for a first one, since the oldest thing waiting). Decided in
    the database, so those not due yet never crowd out those who are."""
    prefs = EmailPreference.objects.filter(user_id=OuterRef("user_id"))
    waiting = (
        Notification.objects.filter(mailed_at__isnull=True, channel="digest")
        .values("user_id")
        .annotate(
            oldest=Min("created_at"),
            last=Subquery(prefs.values("last_digest_at")[:1]),
            rhythm=Coalesce(Subquery(prefs.values("digest")[:1]), Value("daily")),
        )
        .annotate(since=Coalesce("last", "oldest"))
        .filter(
            Q(rhythm="weekly", since__lte=now - PERIODS["weekly"])
            | (~Q(rhythm="weekly") & Q(since__lte=now - PERIODS["daily"]))
        )
        .order_by("since")
    )
    return [row["user_id"] for row in waiting[:limit]]


def _due(pref: EmailPreference, oldest: datetime | None, now: datetime) -> bool:
    since = pref.last_digest_at or oldest
    return since is not None and since + PERIODS.get(pref.digest, PERIODS["daily"]) <= now


def mail_digests(now: datetime, *, max_seconds: float = 120) -> int:
    """One digest per person who is due, bounded in time. The person's preference row is
    locked while their digest is claimed and checked again under the lock, so two workers
    never both send one: the second finds it sent."""
    began = time.monotonic()
    sent = 0
    for user_id in digests_due(now):
        with transaction.atomic():
            EmailPreference.objects.get_or_create(user_id=user_id)
            pref = EmailPreference.objects.select_for_update().get(user_id=user_id)
            waiting = Notification.objects.filter(
                user_id=user_id, mailed_at__isnull=True, channel="digest"
            )
            oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
            if not _due(pref, oldest, now):
                continue  # another worker sent it a moment ago
            rows = list(with_context(waiting.select_related("user").order_by("id"))[:200])
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mailed_at=now)
            pref.last_digest_at = now
            pref.save(update_fields=["last_digest_at"])
        wanted = [n for n in rows if _still_wants(pref, n, "digest")]
        if wanted:
            sent += _send([digest(wanted[0].user, wanted)])
        if time.monotonic() - began > max_seconds:
            break
    return sent
