"""Issue 10 (part 4), BEY-2: `folkmoot tally` refuses, with exit 2 and a message naming the
limit, files it cannot count safely — nested too deeply (a RecursionError before), or too
wide (20,000 candidates took 6.3 GB) — before it allocates anything for the count."""

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from folkmoot.governance.nesting import MAX_DEPTH
from folkmoot.governance.tally.ballots import BallotError
from folkmoot.governance.tally.files import (
    MAX_CANDIDATES,
    MAX_CELLS,
    read_json,
    read_star_vote_csv,
)

# The count may use at most this much address space: a regression fails the test with a
# MemoryError instead of taking the machine's memory.
ADDRESS_SPACE = 3 * 1024**3


def command(*args: str) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    folkmoot = Path(sys.executable).parent / "folkmoot"
    return subprocess.run(
        [str(folkmoot), "tally", *args],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit,  # the child is a fresh process: safe
    )


def names(count: int) -> list[str]:
    return [f"C{i}" for i in range(count)]


def test_a_deeply_nested_file_exits_2_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 20000 + "]" * 20000)
    result = command(str(path), "--method", "star")
    assert result.returncode == 2, result.stderr[-300:]
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ["[" * 20000, '{"candidates": ' + "[" * 3000 + "]" * 3000 + "}"])
def test_the_reader_names_the_nesting(text: str) -> None:
    with pytest.raises(BallotError) as deep:
        read_json(text)
    assert deep.value.reason.code == "too_deep"


def test_nesting_inside_a_ballot_is_named(tmp_path: Path) -> None:
    deep = "[" * 3000 + "]" * 3000
    path = tmp_path / "deep.json"
    path.write_text('{"candidates": ["A", "B"], "ballots": [{"A": ' + deep + "}]}")
    result = command(str(path), "--method", "star")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"nested too deeply: a ballot file has at most {MAX_DEPTH} levels" in result.stderr


def test_twenty_thousand_candidates_are_refused_quickly_and_cheaply(tmp_path: Path) -> None:
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"candidates": names(20_000), "ballots": [{"C0": 5}] * 3}))
    result = command(str(path), "--method", "star")
    assert result.returncode == 2, result.stderr[-300:]
    assert "The file has 20000 candidates; at most 1000 can be counted." in result.stderr


def test_a_star_vote_export_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["voterID", "date", "pollID", *names(1001)]) + "\n")
    result = command(str(path), "--method", "star")
    assert result.returncode == 2 and "at most 1000 can be counted" in result.stderr


def test_the_limits_are_exact() -> None:
    """1,000 candidates are counted; one more is not. Ballots × candidates is bounded too."""
    assert read_json(json.dumps({"candidates": names(MAX_CANDIDATES), "ballots": []}))
    with pytest.raises(BallotError) as wide:
        read_json(json.dumps({"candidates": names(MAX_CANDIDATES + 1), "ballots": []}))
    assert wide.value.reason.code == "too_many_candidates"
    ballots = MAX_CELLS // MAX_CANDIDATES + 1
    with pytest.raises(BallotError) as big:
        read_json(json.dumps({"candidates": names(MAX_CANDIDATES), "ballots": [{}] * ballots}))
    assert big.value.reason.code == "too_many_cells"
    assert "scores (ballots × candidates)" in big.value.reason.render()
    header = ",".join(["v", "d", "p", *names(MAX_CANDIDATES + 1)])
    with pytest.raises(BallotError):
        read_star_vote_csv(header + "\n")


def test_an_ordinary_file_is_still_counted(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({"candidates": ["A", "B"], "ballots": [{"A": 5, "B": 1}]}))
    result = command(str(path), "--method", "star")
    assert result.returncode == 0 and "A" in result.stdout
