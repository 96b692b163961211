"""What the governance core may know about a person in an assembly: the `Viewer` facts built
from memberships, offices and profile, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import effective_membership
from folkmoot.governance.audience import ANONYMOUS, Viewer
from folkmoot.governance.membership import seniority_days
from folkmoot.offices.models import Tenure


def viewer_for(user: Any, assembly: Assembly) -> Viewer:
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    membership = effective_membership(user, assembly)
    offices = frozenset(
        Tenure.objects.current()
        .filter(holder=user, office__assembly=assembly)
        .values_list("office__slug", flat=True)
    )
    started = timezone.localtime(membership.started_at).date() if membership else None
    return Viewer(
        authenticated=True,
        status=membership.status if membership else None,  # type: ignore[arg-type]
        offices=offices,
        birth_date=user.birth_date,
        attributes=user.attribute_set,
        seniority_days=seniority_days(started, timezone.localdate()),
    )
