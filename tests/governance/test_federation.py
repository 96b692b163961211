"""ASM-1 references and ASM-2 acyclic nesting, in the core."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.federation import (
    check_parent,
    check_umbrella,
    format_reference,
    parse_reference,
    would_create_cycle,
)


def test_reference_is_prefix_asse_creation_month_and_id_like_decidim():
    assert format_reference("HPUK", date(2025, 9, 14), 4) == "HPUK-ASSE-2025-09-4"


def test_reference_parses_back_and_tolerates_case_and_spaces():
    parsed = parse_reference(" hpuk-asse-2025-09-4 ")
    assert parsed is not None
    assert (parsed.prefix, parsed.year, parsed.month, parsed.assembly_id) == ("HPUK", 2025, 9, 4)
    assert parse_reference("operational-working-group") is None
    assert parse_reference("HPUK-ASSE-2025-9-4") is None


def test_an_assembly_cannot_be_its_own_parent():
    assert not check_parent({1: None}, 1, 1)


def test_an_assembly_cannot_move_under_its_own_grandchild():
    parents = {1: None, 2: 1, 3: 2}
    answer = check_parent(parents, 1, 3)
    assert not answer
    assert answer.reasons[0].code == "nesting_cycle"


def test_moving_to_a_sibling_branch_is_fine():
    assert check_parent({1: None, 2: 1, 3: 1, 4: 3}, 4, 2)
    assert check_parent({1: None}, 1, None)


def test_umbrella_membership_cannot_loop():
    # 2 is a member of 1; making 1 a member of 2 would close the loop.
    assert not check_umbrella({2: [1]}, 1, 2)
    assert not check_umbrella({}, 5, 5)
    assert check_umbrella({2: [1]}, 3, 1)


@given(
    st.dictionaries(st.integers(0, 12), st.integers(0, 12), max_size=12),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_accepted_parent_links_never_form_a_cycle(
    proposed: dict[int, int], child: int, parent: int
):
    """Building any forest one accepted link at a time never yields a cycle."""
    parents: dict[int, int | None] = {}
    for c, p in [*proposed.items(), (child, parent)]:
        if check_parent(parents, c, p):
            parents[c] = p
    for start in parents:
        seen, node = set(), start
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = parents.get(node)


def test_cycle_search_terminates_on_graphs_that_already_have_cycles():
    assert would_create_cycle({1: [2], 2: [1]}, 3, 1) is False
