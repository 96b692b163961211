"""Reporting a private message (FOR-6): a participant reports a message with a reason; the
platform's staff read the reported message, and only it (never the conversation), and hide
it or dismiss the report. Hidden is never deleted: the text stays in the database and in
its author's data export. The author is never told who reported it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.audit.log import record
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.refusals import NotFound, Refused, create_once, require

from . import rules
from .actions import access_conversation
from .models import Message, MessageReport

KIND = "message_report"


def access_message(user: Any, pk: int) -> Message:
    """A message the person could read: in a conversation they take part in, written while
    they were in it (after they were added, before they left). Anything else is missing."""
    message = Message.objects.filter(pk=pk).select_related("author").first()
    if message is None:
        raise NotFound(pk)
    seat = access_conversation(user, message.conversation_id)
    if seat.left_at is not None and message.created_at > seat.left_at:
        raise NotFound(pk)
    if seat.reads_after is not None and message.pk <= seat.reads_after:
        raise NotFound(pk)
    return message


def check_report(user: Any, message: Message, reason: str) -> MessageReport:
    reason = reason.strip()
    require(
        rules.check_report(
            reason, own=message.author_id == user.pk, hidden=message.hidden_at is not None
        )
    )
    return do_report(reporter=user, message=message, reason=reason)


@transaction.atomic
def do_report(*, reporter: Any, message: Message, reason: str) -> MessageReport:
    report = create_once(
        MessageReport,
        Reason("reported_already", gettext_noop("You have already reported this message.")),
        message=message,
        reporter=reporter,
        reason=reason,
    )
    # No reason and no text in the log: they are for the staff's review page only.
    record("conversations.report", actor=reporter, subject=report, message=message.pk)
    # Only to those who may review it (`_reviewable_by`): not its author, nor whoever
    # reported the message, this report's author included.
    notify(
        KIND,
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(pk=message.author_id)
        .exclude(pk__in=MessageReport.objects.filter(message=message).values("reporter_id")),
        subject=report,
    )
    return report


def check_staff(user: Any) -> Answer:
    if getattr(user, "is_staff", False) and getattr(user, "is_active", False):
        return Answer.yes()
    return Answer.no(
        Reason("staff_only", gettext_noop("Only the platform's staff review reported messages."))
    )


def _reviewable_by(user: Any) -> Any:
    """The open reports `user` may review: none on their own message (they would judge
    themselves, and learn who reported them) and none on a message they reported (they
    would judge their own report: a decision closes every report on the message at once).
    Another member of the staff reviews those."""
    return (
        MessageReport.objects.filter(resolved_at__isnull=True)
        .exclude(message__author_id=user.pk)
        .exclude(message__reports__reporter_id=user.pk)
    )


def open_reports(user: Any) -> list[MessageReport]:
    return list(
        _reviewable_by(user)
        .select_related("message__author", "reporter")
        .order_by("created_at", "id")[:100]
    )


def access_report(user: Any, pk: int) -> MessageReport:
    """A report `user` may review; one they may not is missing, as a resolved one is."""
    require(check_staff(user))
    report = _reviewable_by(user).filter(pk=pk).select_related("message").first()
    if report is None:
        raise NotFound(pk)
    return report


@transaction.atomic
def do_hide(*, staff: Any, report: MessageReport) -> int:
    """Hide the reported message from every page; every open report on it is closed.
    Returns how many reports were closed."""
    now = timezone.now()
    Message.objects.filter(pk=report.message_id, hidden_at__isnull=True).update(
        hidden_at=now, hidden_by=staff
    )
    record("conversations.hide", actor=staff, subject=report.message)
    return _resolve(report, staff, now, MessageReport.Outcome.HIDDEN)


@transaction.atomic
def do_dismiss(*, staff: Any, report: MessageReport) -> int:
    """The message stays as it is; every open report on it is closed."""
    record("conversations.dismiss", actor=staff, subject=report.message)
    return _resolve(report, staff, timezone.now(), MessageReport.Outcome.DISMISSED)


def _resolve(report: MessageReport, staff: Any, now: Any, outcome: str) -> int:
    closed = MessageReport.objects.filter(
        message_id=report.message_id, resolved_at__isnull=True
    ).update(resolved_at=now, resolved_by=staff, outcome=outcome)
    if not closed:
        raise Refused.because(
            Reason("no_reports", gettext_noop("No report on this message is waiting."))
        )
    return closed
