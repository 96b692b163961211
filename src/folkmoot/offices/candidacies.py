"""Standing for office (OFF-3): the core decides who may stand and when; a person may stand
for several offices, and withdraw."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.appointment import check_elected_here
from folkmoot.governance.audience import Named, Viewer, check_candidacy
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.sanctions import MisconductBar, check_not_barred
from folkmoot.moderation.selectors import bars_of
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, create_once, require

from .models import Candidacy, Office
from .selectors import offices_of


def stand_answer(
    protocol: Protocol, row: Any, viewer: Viewer, bars: dict[str, list[MisconductBar]]
) -> Answer:
    """May this person stand in the office's race now (OFF-3)? The protocol's audience and
    calendar, and no misconduct barring them when the race opens (art. 7)."""
    return combine(
        check_candidacy(
            protocol,
            row.key,
            viewer,
            timezone.localdate(),
            vacancies=row.vacancies,
            voting_now=row.election_open,
            preparing=row.preparing,
        ),
        _not_barred(row, bars),
    )


def _not_barred(row: Any, bars: dict[str, list[MisconductBar]]) -> Answer:
    """Art. 7: no misconduct bar covers the opening of the office's race (now, for an office
    without elections)."""
    race = row.election.opens_at if row.election is not None else timezone.now()
    return check_not_barred(bars.get(row.key, []), race, Named(row.rule.name))


def check_stand(
    user: Any, assembly: Assembly, office_key: str, *, statement: str = ""
) -> Candidacy:
    in_force = protocol_in_force(assembly)
    if in_force is None or office_key not in in_force.protocol.offices:
        raise NotFound(office_key)
    protocol = in_force.protocol
    row = next(r for r in offices_of(assembly, protocol) if r.key == office_key)
    viewer = viewer_for(user, assembly, protocol)
    require(check_elected_here(office_key, row.rule, secretary_elected=assembly.secretary_elected))
    require(stand_answer(protocol, row, viewer, bars_of(assembly, user, protocol.sanctions)))
    return do_stand(
        assembly=assembly,
        office_key=office_key,
        person=user,
        seats=row.rule.seats,
        election_opens_at=row.election.opens_at if row.election else None,
        statement=statement,
        # Art. 7: a finding of misconduct made while this request ran is read again under
        # the person's lock, the one the finding takes (`moderation.misconduct`).
        recheck=lambda: _not_barred(row, bars_of(assembly, user, protocol.sanctions)),
    )


@transaction.atomic
def do_stand(
    *,
    assembly: Assembly,
    office_key: str,
    person: Any,
    seats: int,
    election_opens_at: Any,
    statement: str,
    recheck: Callable[[], Answer] | None = None,
) -> Candidacy:
    # The person's row: a request's user is a lazy object, so the model is named.
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()
    if recheck is not None:
        require(recheck())
    office, _ = Office.objects.get_or_create(
        assembly=assembly, slug=office_key, defaults={"seats": seats}
    )
    # The office's row, which the election's making takes too (offices.elections): once the
    # race's ballot is made, nobody joins it, whatever this request read before.
    Office.objects.select_for_update(no_key=True).filter(pk=office.pk).first()
    if election_opens_at is not None and _ballot_made(office, election_opens_at):
        require(Answer.no(RACE_FIXED))
    candidacy = create_once(
        Candidacy,
        Reason("already_standing", gettext_noop("You are already standing in this race.")),
        office=office,
        person=person,
        election_opens_at=election_opens_at,
        statement=statement.strip(),
    )
    record("office.stand", actor=person, assembly=assembly, subject=candidacy, office=office_key)
    return candidacy


RACE_FIXED = Reason(
    "race_fixed",
    gettext_noop("This election's ballot is already made: candidacies open again when it closes."),
)


def _ballot_made(office: Office, opens_at: Any) -> bool:
    from folkmoot.decisions.models import Vote

    return Vote.objects.filter(office=office, opens_at=opens_at).exists()


def access_own_candidacy(user: Any, assembly: Assembly, pk: int) -> Candidacy:
    """A person withdraws only their own candidacy, and only one still standing."""
    candidacy = (
        Candidacy.objects.select_related("office__assembly", "person")
        .filter(pk=pk, person=user, office__assembly=assembly, withdrawn_at__isnull=True)
        .first()
    )
    if candidacy is None:
        raise NotFound(pk)
    return candidacy


ON_THE_BALLOT = Reason(
    "on_the_ballot",
    gettext_noop(
        "This election's ballot is made and your name is on it: it stays there. If you are"
        " elected and cannot serve, you may resign."
    ),
)


@transaction.atomic
def check_withdraw(*, candidacy: Candidacy, actor: Any) -> Candidacy:
    """A candidacy is withdrawn until its race's ballot is made (at the opening, or at a
    sealed election's preparing): a withdrawal after that would change nothing. Under the
    office's row, which the ballot's making takes: none lands just after it is made."""
    Office.objects.select_for_update(no_key=True).filter(pk=candidacy.office_id).first()
    if candidacy.election_opens_at is not None and _ballot_made(
        candidacy.office, candidacy.election_opens_at
    ):
        require(Answer.no(ON_THE_BALLOT))
    return do_withdraw(candidacy=candidacy, actor=actor)


def do_withdraw(*, candidacy: Candidacy, actor: Any) -> Candidacy:
    Candidacy.objects.filter(pk=candidacy.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    record("office.withdraw", actor=actor, assembly=candidacy.office.assembly, subject=candidacy)
    candidacy.refresh_from_db()
    return candidacy


def candidates_for(assembly: Assembly, races: dict[str, Any]) -> dict[str, list[Candidacy]]:
    """Who stands in each office's current race: `races` maps an office to the opening of
    its election window open now or next (None: an office without elections). Candidacies
    of races already run are history, not candidates."""
    out: dict[str, list[Candidacy]] = {}
    for c in Candidacy.objects.filter(
        office__assembly=assembly, withdrawn_at__isnull=True
    ).select_related("person", "office"):
        race = races.get(c.office.slug)
        if race is not None and (c.election_opens_at is None or c.election_opens_at < race):
            continue
        out.setdefault(c.office.slug, []).append(c)
    return out


def races_of(rows: list[Any]) -> dict[str, Any]:
    return {r.key: r.election.opens_at if r.election else None for r in rows}
