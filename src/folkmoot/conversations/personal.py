"""A person's private messages in their own data (UK GDPR, issue 13; accounts.personal_data).

The export holds the conversations they take part in (with whom, when they joined and left)
and every message they wrote, hidden ones included with their text (nothing they wrote is
lost), the people they block and the reports they made. Other people's messages are not
theirs to take away.

Erasing the account follows the site's policy for written content: what they wrote stays
where it is, signed "a former member"; they leave every conversation (nothing more reaches
the account), and their blocks, a setting of their own, go. Reports they made stay for the
staff's review, as forum reports do."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Block, Message, MessageReport, Participant


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def export_of(user: Any) -> dict[str, Any]:
    seats = Participant.objects.filter(person=user).select_related("conversation")
    return {
        "conversations": [
            {
                "id": s.conversation_id,
                "subject": s.conversation.subject,
                "with": [
                    str(p.person)
                    for p in s.conversation.participants.select_related("person")
                    if p.person_id != user.pk
                ],
                "joined": _when(s.joined_at),
                "left": _when(s.left_at),
            }
            for s in seats
        ],
        "messages": [
            {
                "conversation": m.conversation_id,
                "at": _when(m.created_at),
                "body": m.body,
                "hidden_by_staff": m.hidden_at is not None,
            }
            for m in Message.objects.filter(author=user).order_by("created_at", "id").iterator()
        ],
        "blocks": [
            {"person": str(b.blocked), "since": _when(b.created_at)}
            for b in Block.objects.filter(blocker=user).select_related("blocked")
        ],
        "reports_made": [
            {"message": r.message_id, "reason": r.reason, "at": _when(r.created_at)}
            for r in MessageReport.objects.filter(reporter=user)
        ],
    }


def forget(user: Any) -> None:
    """Called inside the erasure's transaction (accounts.personal_data.do_erase_account)."""
    Participant.objects.filter(person=user, left_at__isnull=True).update(left_at=timezone.now())
    Block.objects.filter(blocker=user).delete()
