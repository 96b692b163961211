"""Issue 10 part 4: once a vote is open, its method, options, secrecy and times cannot be changed
in the Django admin or anywhere else — reordering the options of an open vote would silently
reassign every ballot already cast (VOTE-5, VOTE-11). A vote not yet opened stays editable,
and the close still writes the columns it needs."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import timezone

from folkmoot.decisions.admin import VoteAdmin
from folkmoot.decisions.frozen import FIXED_FIELDS, check_vote_change
from folkmoot.decisions.models import Participation, Vote
from folkmoot.refusals import Refused
from tests.decisions.conftest import Harmony
from tests.factories import UserFactory

FIXED_MESSAGE = "This vote has opened: its method, options, secrecy, times, seats, scores"


def _vote(harmony: Harmony, opens_in: timedelta) -> Vote:
    now = timezone.now()
    return Vote.objects.create(
        assembly=harmony.assembly,
        kind="star_vote",
        title="Where?",
        method="star",
        options=["Park", "Library", "Pool"],
        secret=True,
        opens_at=now + opens_in,
        closes_at=now + opens_in + timedelta(days=3),
    )


def _staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))  # type: ignore[arg-type]
    return client


def _split(moment: datetime, name: str) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def _admin_form(vote: Vote, **changes: Any) -> dict[str, Any]:
    """Every field the change form offers for an editable vote, as it is, then `changes`."""
    data: dict[str, Any] = {
        "assembly": vote.assembly_id,
        "kind": vote.kind,
        "title": vote.title,
        "description": vote.description,
        "method": vote.method,
        "options": '["Park", "Library", "Pool"]',
        "subjects": "[]",
        "validity": '{"ask_validity": false}',  # an empty rule set counts as missing
        "seats": vote.seats,
        "max_score": vote.max_score,
        "secret": "on",
        "random_order": "on",
        "may_change_ballot": "on",
        **_split(vote.opens_at, "opens_at"),  # type: ignore[arg-type]
        **_split(vote.closes_at, "closes_at"),  # type: ignore[arg-type]
        **_split(vote.created_at, "created_at"),
    }
    data.update(changes)
    return data


def test_the_admin_shows_an_open_vote_read_only_and_says_why(harmony: Harmony) -> None:
    vote = _vote(harmony, -timedelta(hours=1))
    staff = _staff()
    page = staff.get(f"/admin/decisions/vote/{vote.pk}/change/").content.decode()
    assert FIXED_MESSAGE in page
    assert 'name="options"' not in page and 'name="method"' not in page
    # Reordering the options in a forged POST changes nothing; the title is still editable.
    reordered = _admin_form(vote, title="Where, then?", options='["Pool", "Library", "Park"]')
    response = staff.post(f"/admin/decisions/vote/{vote.pk}/change/", reordered)
    assert response.status_code == 302, response.content.decode()[-6000:]
    vote.refresh_from_db()
    assert vote.options == ["Park", "Library", "Pool"] and vote.title == "Where, then?"


def test_the_admin_still_edits_a_vote_not_yet_opened(harmony: Harmony) -> None:
    vote = _vote(harmony, timedelta(days=1))
    staff = _staff()
    page = staff.get(f"/admin/decisions/vote/{vote.pk}/change/").content.decode()
    assert FIXED_MESSAGE not in page and 'name="options"' in page
    reordered = _admin_form(vote, options='["Pool", "Library", "Park"]', method="approval")
    response = staff.post(f"/admin/decisions/vote/{vote.pk}/change/", reordered)
    assert response.status_code == 302, response.content.decode()[-6000:]
    vote.refresh_from_db()
    assert vote.options == ["Pool", "Library", "Park"] and vote.method == "approval"


def test_the_admin_refuses_when_someone_voted_while_the_form_was_open(harmony: Harmony) -> None:
    """The form was shown before the first ballot; it is saved after: refused, in words."""
    vote = _vote(harmony, timedelta(days=1))
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)  # type: ignore[assignment]
    form_class = VoteAdmin(Vote, admin.site).get_form(request, vote, change=True)
    Participation.objects.create(vote=vote, person=harmony.members[0])
    form = form_class(_admin_form(vote, options='["Pool", "Library", "Park"]'), instance=vote)
    assert not form.is_valid()
    assert any(FIXED_MESSAGE in error for error in form.non_field_errors())
    vote.refresh_from_db()
    assert vote.options == ["Park", "Library", "Pool"]


NEW_VALUES: dict[str, Any] = {
    "options": ["Pool", "Library", "Park"],
    "method": "approval",
    "subjects": [1, 2, 3],
    "secret": False,
    "seats": 2,
    "max_score": 9,
    "validity": {"quorum": 1},
    "ask_validity": True,
    "may_change_ballot": False,
    "random_order": False,
    "lot_seed": "0123456789abcdef",
    "kind": "referendum",
}


@pytest.mark.parametrize("field", [*NEW_VALUES, "opens_at", "closes_at"])
def test_the_database_refuses_changing_an_open_vote(harmony: Harmony, field: str) -> None:
    assert set(FIXED_FIELDS) == {*NEW_VALUES, "opens_at", "closes_at"}
    vote = _vote(harmony, -timedelta(hours=1))
    before = Vote.objects.filter(pk=vote.pk).values(field).get()
    value = NEW_VALUES.get(field, timezone.now() + timedelta(days=9))
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(**{field: value})
    assert Vote.objects.filter(pk=vote.pk).values(field).get() == before


def test_the_database_refuses_once_anyone_has_voted_whatever_the_times(harmony: Harmony) -> None:
    vote = _vote(harmony, timedelta(days=1))
    Participation.objects.create(vote=vote, person=harmony.members[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(options=["Pool", "Library", "Park"])
    vote.options = ["Pool", "Library", "Park"]
    with pytest.raises(IntegrityError), transaction.atomic():
        vote.save()
    assert Vote.objects.get(pk=vote.pk).options == ["Park", "Library", "Pool"]


def test_the_close_and_other_columns_still_write(harmony: Harmony) -> None:
    vote = _vote(harmony, -timedelta(hours=1))
    # The close takes the row with a write that leaves closes_at as it is (settle_vote).
    assert Vote.objects.filter(pk=vote.pk).update(closes_at=F("closes_at")) == 1
    assert Vote.objects.filter(pk=vote.pk).update(announced_at=timezone.now()) == 1
    assert Vote.objects.filter(pk=vote.pk).update(title="Where, then?") == 1
    vote.refresh_from_db()
    vote.save()  # a full save with nothing fixed changed
    assert vote.title == "Where, then?" and vote.announced_at is not None


def test_a_vote_not_yet_opened_may_change_in_the_database(harmony: Harmony) -> None:
    vote = _vote(harmony, timedelta(days=1))
    Vote.objects.filter(pk=vote.pk).update(options=["Pool", "Park"], seats=2)
    assert Vote.objects.get(pk=vote.pk).options == ["Pool", "Park"]


def test_every_writer_asks_first_and_is_refused_in_words(harmony: Harmony) -> None:
    opened, later = _vote(harmony, -timedelta(hours=1)), _vote(harmony, timedelta(days=1))
    with pytest.raises(Refused) as refused:
        check_vote_change(opened, ["options"])
    assert refused.value.codes == ["vote_is_fixed"]
    check_vote_change(opened, ["title", "description"])  # not fixed: no refusal
    check_vote_change(later, ["options", "closes_at"])
