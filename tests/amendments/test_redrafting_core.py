"""VOTE-14's pure rules (governance.redrafting): the diff shown is the change made, the
ballot's competing texts are chosen by support."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.protocol import TextAmendments
from folkmoot.governance.redrafting import (
    Candidate,
    ballot_options,
    check_passage,
    competing,
    replace_passage,
    word_diff,
)

words = st.text(alphabet=st.sampled_from("ab c.\n"), max_size=40)


@given(words, words)
def test_a_diff_rebuilds_both_texts(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "added") == old
    assert "".join(t for op, t in pieces if op != "removed") == new


@given(words, st.text(alphabet="xyz", min_size=1, max_size=5), words)
def test_a_passage_found_once_is_replaced_there_and_nowhere_else(
    before: str, passage: str, after: str
) -> None:
    text = before + passage + after
    if text.count(passage) == 1:
        assert check_passage(text, passage, "Q")
        assert replace_passage(text, passage, "Q") == before + "Q" + after
    else:
        assert not check_passage(text, passage, "Q")


def test_the_most_supported_rejected_amendments_compete_up_to_five() -> None:
    rules = TextAmendments(competing_supports=2)
    found = [Candidate(n, s) for n, s in [(1, 1), (2, 2), (3, 5), (4, 2), (5, 9), (6, 3), (7, 4)]]
    assert competing(found, rules) == [5, 3, 7, 6, 2]
    assert competing(found, TextAmendments(competing_supports=None)) == []
    assert competing(found, None) == []
    assert ballot_options(["Yes", "No"], ["Yes, with amendment 5"]) == [
        "Yes",
        "Yes, with amendment 5",
        "No",
    ]
