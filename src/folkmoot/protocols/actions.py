"""Adopting a protocol version (PRO-1..3). Staff and the demo adopt directly; an amendment
decision (issue 6) calls the same `do_adopt_protocol_version`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import load_protocol
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import Refused

from .models import ProtocolVersion


def may_adopt_directly(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


def check_adopt_protocol_version(
    actor: Any, assembly: Assembly, document: str, *, decision_reference: str = "", note: str = ""
) -> ProtocolVersion:
    """Staff adopt a version directly; anything else goes through an amendment decision.
    The document is validated first: a malformed one raises ProtocolInvalid and changes nothing."""
    if not may_adopt_directly(actor):
        raise Refused.because(
            Reason(
                "adopt_by_amendment",
                gettext_noop("A new protocol is adopted by an amendment decision, not directly."),
            )
        )
    load_protocol(document)
    return do_adopt_protocol_version(
        assembly=assembly,
        document=document,
        actor=actor,
        decision_reference=decision_reference,
        note=note,
    )


@transaction.atomic
def do_adopt_protocol_version(
    *,
    assembly: Assembly,
    document: str,
    actor: Any,
    decision_reference: str = "",
    note: str = "",
    preset: str = "",
    adopted_at: Any = None,
) -> ProtocolVersion:
    load_protocol(document)  # never store a document the engine cannot run
    # Lock the assembly row so two adoptions at once get consecutive numbers.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).exists()
    last = assembly.protocol_versions.aggregate(n=Max("number"))["n"] or 0
    version = ProtocolVersion.objects.create(
        assembly=assembly,
        number=last + 1,
        document=document,
        preset=preset,
        adopted_at=adopted_at or timezone.now(),
        adopted_by=actor if getattr(actor, "is_authenticated", False) else None,
        decision_reference=decision_reference,
        note=note,
    )
    record(
        "protocol.adopt",
        actor=actor,
        assembly=assembly,
        subject=version,
        number=version.number,
        preset=preset,
        decision=decision_reference,
    )
    return version


def do_adopt_preset(
    *, assembly: Assembly, preset: str, actor: Any, note: str = ""
) -> ProtocolVersion:
    return do_adopt_protocol_version(
        assembly=assembly, document=preset_text(preset), actor=actor, preset=preset, note=note
    )
