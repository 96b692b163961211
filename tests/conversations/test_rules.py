"""FOR-6's pure rules (conversations.rules): who may write to whom under sanctions, blocks
and the size limit, said in words."""

from __future__ import annotations

from datetime import UTC, datetime

from folkmoot.conversations.rules import (
    MAX_PEOPLE,
    Standing,
    check_not_blocked,
    check_people,
    check_sanctions,
)


def standing(assembly: str, hears: set[int], until: datetime | None = None) -> Standing:
    return Standing(
        assembly=assembly,
        until=until or datetime(2030, 1, 1, tzinfo=UTC),
        reason="Trolling",
        hears_appeals=frozenset(hears),
        who="coordinators",
    )


def test_sanctioned_in_two_assemblies_may_appeal_to_either_and_to_nobody_else() -> None:
    both = [standing("North", {1, 2}), standing("South", {3})]
    assert check_sanctions(both, [1])
    assert check_sanctions(both, [2, 3])  # coordinators of both, together
    refused = check_sanctions(both, [1, 9])
    assert not refused
    assert [r.params["assembly"] for r in refused.reasons] == ["North", "South"]
    assert not check_sanctions(both, [])  # an empty conversation is no appeal


def test_non_grata_is_told_it_lasts_until_lifted() -> None:
    forever = standing("North", {1}, until=datetime.max.replace(tzinfo=UTC))
    [reason] = check_sanctions([forever], [9]).reasons
    assert "until it is lifted" in reason.render()


def test_no_sanction_no_limit() -> None:
    assert check_sanctions([], [9])


def test_people_limit_counts_the_writer() -> None:
    assert check_people(MAX_PEOPLE - 1)
    [reason] = check_people(MAX_PEOPLE).reasons
    assert reason.code == "people_too_many"
    assert not check_people(0)


def test_blockers_are_named() -> None:
    [reason] = check_not_blocked(["Zoe", "Ann"]).reasons
    assert reason.render() == "Not taking private messages from you: Ann, Zoe."
    assert check_not_blocked([])
