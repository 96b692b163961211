from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    verb: str,
    *,
    actor: Any = None,
    assembly: Any = None,
    subject: models.Model | None = None,
    assembly_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit row; called inside the `do_*` action's transaction. A hot path that
    has not loaded the assembly passes its `assembly_id` instead."""
    return AuditEvent.objects.create(
        verb=verb,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        assembly_id=assembly.pk if assembly is not None else assembly_id,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        data=data,
    )
