from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    verb: str,
    *,
    actor: Any = None,
    assembly: Any = None,
    subject: models.Model | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit row; called inside the `do_*` action's transaction."""
    return AuditEvent.objects.create(
        verb=verb,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        assembly=assembly,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        data=data,
    )
