"""The email side of notifications, run by the worker only (`folkmoot settle`). Pages and
actions write notification rows; here batches of rows not yet mailed are claimed (a row lock
that other workers skip on PostgreSQL) and marked in one transaction, then the emails of
those whose preferences ask for them are sent. A row is claimed once, so nobody gets the
same email twice, whichever worker or how many."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from .models import EmailPreference, Notification

log = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    """A subject is one header line: a title typed with line breaks must not break it."""
    return " ".join(text.split())


def _subject_and_link(n: Notification) -> tuple[str, str]:
    site = settings.SITE_URL
    if n.kind == "mention" and n.post is not None:
        thread = n.post.thread
        link = reverse("post", args=[thread.assembly.slug, n.post_id])
        subject = gettext("%(who)s mentioned you in “%(thread)s”") % {
            "who": n.actor or gettext("Someone"),
            "thread": thread.title,
        }
        return subject, site + link
    title = n.vote.title if n.vote else n.proposal.title if n.proposal else ""
    link = (
        f"{site}/votes/{n.vote_id}/"
        if n.vote_id
        else f"{site}/decisions/{n.proposal_id}/"
        if n.proposal_id
        else site
    )
    subjects = {
        "vote_opened": gettext("Voting is open: %(title)s"),
        "vote_closing": gettext("Less than 24 hours left to vote: %(title)s"),
        "result": gettext("Result published: %(title)s"),
        "election": gettext("An election is open: %(title)s"),
        "withdrawn": gettext("Your proposal was withdrawn: %(title)s"),
    }
    return subjects[n.kind] % {"title": title}, link


def message(n: Notification) -> tuple[str, str, str, list[str]]:
    with translation.override(getattr(n.user, "language", "") or settings.LANGUAGE_CODE):
        subject, link = _subject_and_link(n)
        subject = _one_line(subject)
        body = (
            subject
            + "\n\n"
            + link
            + "\n\n"
            + gettext("You can choose which emails you receive at %(url)s.")
            % {"url": f"{settings.SITE_URL}/notifications/preferences/"}
        )
    return subject, body, settings.DEFAULT_FROM_EMAIL, [n.user.email]


def wanted(rows: Iterable[Notification]) -> list[Notification]:
    """The rows whose person wants this kind by email (no preferences row: the defaults)."""
    rows = list(rows)
    prefs = {
        p.user_id: p for p in EmailPreference.objects.filter(user_id__in={n.user_id for n in rows})
    }
    out = []
    for n in rows:
        pref = prefs.get(n.user_id)
        field = n.kind
        wants = (
            getattr(pref, field)
            if pref is not None
            else getattr(EmailPreference, field).field.default
        )
        if wants and n.user.email:
            out.append(n)
    return out


def _claim(now: datetime, batch: int) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(mailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "actor", "vote", "proposal", "post__thread__assembly")
            .order_by("id")[:batch]
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mailed_at=now)
    return rows


def mail_pending(
    now: datetime, *, batch: int = 2_000, max_batches: int = 200, max_seconds: float = 300
) -> int:
    """Mail what is waiting, a batch at a time, bounded in count and time; what is left waits
    for the next pass. Returns how many emails were handed to the mail backend."""
    sent = 0
    began = time.monotonic()
    for _ in range(max_batches):
        rows = _claim(now, batch)
        if not rows:
            break
        messages: list[Any] = [message(n) for n in wanted(rows)]
        if messages:
            try:
                sent += send_mass_mail(messages, fail_silently=False)
            except (OSError, ValueError):
                # The site works on without a mail server (the notices are on the site); a
                # claimed batch is not retried, so a mail outage never floods people later.
                log.exception("could not send %s notification emails", len(messages))
        if time.monotonic() - began > max_seconds:
            break
    return sent
