from typing import Any

from django.db import transaction

from folkmoot.audit.log import record

from .models import Office, Tenure


@transaction.atomic
def do_appoint(
    *, assembly: Any, office_slug: str, holder: Any, actor: Any, seats: int = 1
) -> Tenure:
    """Put a person in an office now (staff and the demo; elections arrive with decisions).
    Appointing someone who already holds the office changes nothing."""
    office, _ = Office.objects.get_or_create(
        assembly=assembly, slug=office_slug, defaults={"seats": seats}
    )
    tenure, created = Tenure.objects.get_or_create(office=office, holder=holder, ended_at=None)
    if created:
        record("office.appoint", actor=actor, assembly=assembly, subject=tenure, office=office_slug)
    return tenure
