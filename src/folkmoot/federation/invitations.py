"""People on a member roll without an account (issue 13): each is invited once by email, in
the federation's language, to sign up; when they confirm that address (allauth's
`email_confirmed`: an address nobody proved is never enough), they join the federation as
members from the day the roll gives. A later roll that no longer lists them cancels the
invitation."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from folkmoot.audit.log import record
from folkmoot.governance.membership import Status

from .models import Invitation, Membership

log = logging.getLogger(__name__)

# A federation writes to newcomers in its country's language, where Folkmoot speaks it.
LANGUAGE_OF_COUNTRY = {"ES": "es", "MX": "es", "AR": "es", "FR": "fr", "BE": "fr", "JP": "ja"}


def language_of(federation: Any) -> str:
    return LANGUAGE_OF_COUNTRY.get(str(federation.country or ""), settings.LANGUAGE_CODE)


def ask_to_send_invitations() -> None:
    from .tasks import send_invitations_task

    try:
        send_invitations_task.enqueue()
    except Exception:
        log.exception("could not enqueue the invitations")


def _message(invitation: Invitation) -> EmailMessage:
    federation = invitation.federation
    with translation.override(language_of(federation)):
        link = (
            settings.SITE_URL
            + reverse("account_signup")
            + "?"
            + urlencode({"email": invitation.email})
        )
        body = gettext(
            "Hello %(name)s,\n\n%(federation)s keeps its members on %(site)s: this is where its "
            "assemblies discuss, decide and vote. You are on its roll of members since "
            "%(since)s. Sign up with this email address to take part:\n\n%(link)s\n\n"
            "If you did not expect this, ignore it: nothing happens until you sign up."
        ) % {
            "name": invitation.name,
            "federation": federation.title,
            "site": settings.SITE_NAME,
            "since": invitation.member_since.isoformat(),
            "link": link,
        }
        subject = gettext("[%(site)s] %(federation)s invites you to take part") % {
            "site": settings.SITE_NAME,
            "federation": federation.title,
        }
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def send_invitations(*, batch: int = 500, max_seconds: float = 60) -> int:
    """Each open invitation is mailed once: claimed before it is sent, so two workers never
    send it twice; a mail server that refuses a batch is logged, and those are not retried
    (a person can still be invited again by the next roll's secretary)."""
    sent = 0
    began = time.monotonic()
    while time.monotonic() - began < max_seconds:
        with transaction.atomic():
            claimed = list(
                Invitation.objects.filter(
                    sent_at__isnull=True, accepted_at__isnull=True, cancelled_at__isnull=True
                )
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("federation")
                .order_by("pk")[:batch]
            )
            Invitation.objects.filter(pk__in=[i.pk for i in claimed]).update(sent_at=timezone.now())
        if not claimed:
            break
        try:
            with mailers.default as mailer:  # one connection for the batch
                sent += mailer.send_messages([_message(i) for i in claimed]) or 0
        except OSError:
            log.exception("could not send %s invitations", len(claimed))
    return sent


def accept_invitations(user: Any, email: str, now: datetime | None = None) -> int:
    """The person proved `email`: every open invitation to it makes them a member of its
    federation from the roll's date. Returns how many federations they joined."""
    now = now or timezone.now()
    invitations = list(
        Invitation.objects.annotate(folded=Lower("email"))
        .filter(folded=email.lower(), accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("federation")
    )
    for invitation in invitations:
        with transaction.atomic():
            federation = invitation.federation
            since = timezone.make_aware(
                datetime.combine(invitation.member_since, datetime.min.time())
            )
            membership = Membership.objects.active().filter(user=user, assembly=federation).first()
            if membership is None:
                membership = Membership.objects.create(
                    user=user, assembly=federation, status=Status.MEMBER, started_at=since
                )
            else:
                Membership.objects.active().filter(user=user, assembly__root=federation).update(
                    status=Status.MEMBER
                )
                Membership.objects.filter(pk=membership.pk).update(status=Status.MEMBER)
            if not user.display_name:
                user.display_name = invitation.name
            if user.birth_date is None and invitation.birth_date is not None:
                user.birth_date = invitation.birth_date
            # Community attributes stay the person's own to declare, with consent.
            user.save(update_fields=["display_name", "birth_date"])
            Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now)
            record(
                "roll.invitation_accepted",
                actor=user,
                assembly=federation,
                subject=membership,
                status=Status.MEMBER,
            )
    return len(invitations)
