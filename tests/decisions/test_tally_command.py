"""`folkmoot tally` (BEY-2, BEY-3, VOTE-12, OFF-4): anyone can recount a ballot file, JSON or
a star.vote CSV export, and read every round, as JSON for charts or as text."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

CANDIDATES = ["Alice", "Bob", "Carol", "Dan", "Eve"]
# Totals: Alice 20, Bob 18, Carol 10, Dan 13, Eve 12.
SCORES = [
    [5, 4, 0, 2, 1],
    [5, 3, 1, 0, 0],
    [0, 2, 5, 4, 3],
    [1, 5, 4, 0, 2],
    [4, 0, 0, 5, 5],
    [5, 4, 0, 2, 1],
]
# Marks: Alice 4, Bob 3, Carol 2, Dan 1, Eve 1; no ballot marks more than two.
MARKS = [
    [1, 1, 0, 0, 0],
    [1, 0, 1, 0, 0],
    [0, 1, 1, 0, 0],
    [1, 0, 0, 1, 0],
    [0, 1, 0, 0, 1],
    [1, 0, 0, 0, 0],
]
# 8 Alice (one holding the vote null), 2 Bob, 3 blank: Alice has 80 % of 10 counted votes.
CHOICES: list[dict[str, Any]] = [
    *[{"choice": "Alice"}] * 7,
    {"choice": "Alice", "valid": False},
    *[{"choice": "Bob"}] * 2,
    *[{"choice": None}] * 3,
]
# Bloc STAR, 3 seats: Ana and Ben take the first two; in the third round Dee and Eli tie on
# totals (3), head to head (1–1) and five-star scores (none): only a lot can separate them.
TIED = [
    {"Ana": 5, "Ben": 4, "Cai": 3, "Dee": 2},
    {"Ana": 5, "Ben": 4, "Cai": 3, "Eli": 2},
    {"Ana": 4, "Ben": 5, "Cai": 2, "Dee": 1, "Eli": 1},
]

# method, seats, winners (in the order they were elected)
METHODS: list[tuple[str, int, list[str]]] = [
    ("star", 1, ["Alice"]),
    ("bloc-star", 3, ["Alice", "Bob", "Dan"]),
    ("allocated-score", 2, ["Alice", "Eve"]),
    ("choice", 1, ["Alice"]),
    ("approval", 1, ["Alice"]),
    ("top-n", 2, ["Alice", "Bob"]),
]


def command(*args: str) -> subprocess.CompletedProcess[str]:
    folkmoot = Path(sys.executable).parent / "folkmoot"
    return subprocess.run(
        [str(folkmoot), "tally", *args], capture_output=True, text=True, check=False
    )


def star_vote_csv(candidates: list[str], rows: list[list[Any]]) -> str:
    lines = [",".join(["voterID", "date", "pollID", *candidates])]
    lines += [
        ",".join([f"v{i}", "2026-11-22", "poll", *map(str, row)])
        for i, row in enumerate(rows, start=1)
    ]
    return "\n".join(lines) + "\n"


def write(path: Path, content: Any) -> str:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("ballots")
    scored = [dict(zip(CANDIDATES, row, strict=True)) for row in SCORES]
    marked = [dict(zip(CANDIDATES, row, strict=True)) for row in MARKS]
    return {
        "scores.json": write(folder / "scores.json", {"candidates": CANDIDATES, "ballots": scored}),
        "marks.json": write(folder / "marks.json", {"candidates": CANDIDATES, "ballots": marked}),
        "choice.json": write(
            folder / "choice.json", {"candidates": ["Alice", "Bob"], "ballots": CHOICES}
        ),
        "scores.csv": write(folder / "scores.csv", star_vote_csv(CANDIDATES, SCORES)),
        "marks.csv": write(folder / "marks.csv", star_vote_csv(CANDIDATES, MARKS)),
        "tied.json": write(
            folder / "tied.json",
            {"candidates": ["Ana", "Ben", "Cai", "Dee", "Eli"], "ballots": TIED},
        ),
    }


def json_file_for(method: str) -> str:
    return {"choice": "choice.json", "approval": "marks.json", "top-n": "marks.json"}.get(
        method, "scores.json"
    )


@pytest.mark.parametrize(("method", "seats", "winners"), METHODS)
def test_every_method_counts_a_json_file_and_prints_json_with_every_round(
    files: dict[str, str], method: str, seats: int, winners: list[str]
):
    """BEY-2, BEY-3: winners, and each round with its steps and per-candidate numbers."""
    done = command(
        files[json_file_for(method)], "--method", method, "--seats", str(seats), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["method"] == method and data["winners"] == winners
    assert "tie" not in data and "lot" not in data
    assert data["rounds"] and all(r["steps"] for r in data["rounds"])
    for step in (s for r in data["rounds"] for s in r["steps"]):
        assert step["text"] and set(step) == {"kind", "text", "values", "advance", "tied"}
    if method in ("star", "bloc-star", "allocated-score"):
        assert data["ballots"] == 6
        assert [r["winner"] for r in data["rounds"]] == winners
        first = data["rounds"][0]["steps"][0]
        assert first["values"] == {"Alice": 20, "Bob": 18, "Carol": 10, "Dan": 13, "Eve": 12}
    if method == "star":
        assert [s["kind"] for s in data["rounds"][0]["steps"]] == ["scoring", "runoff"]
        assert data["rounds"][0]["steps"][1]["values"] == {"Alice": 4, "Bob": 2}
    if method == "allocated-score":
        assert data["details"] == {"quota": 3}
    if method == "choice":
        assert data["details"]["outcome"] == "carried" and data["details"]["blank"] == 3


@pytest.mark.parametrize(("method", "seats", "winners"), [m for m in METHODS if m[0] != "choice"])
def test_every_score_or_mark_method_counts_a_star_vote_csv_export_and_prints_text(
    files: dict[str, str], method: str, seats: int, winners: list[str]
):
    """BEY-2, BEY-3: the same ballots exported by star.vote give the same winners; the text
    shows each round's heading, its numbers and the winners."""
    source = files["marks.csv" if method in ("approval", "top-n") else "scores.csv"]
    done = command(source, "--method", method, "--seats", str(seats))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Method: {method} · 6 ballots\n")
    assert f"Winners: {', '.join(winners)}\n" in done.stdout
    headings = {
        "star": ["1. STAR"],
        "bloc-star": ["1. Seat 1 of 3", "2. Seat 2 of 3", "3. Seat 3 of 3"],
        "allocated-score": ["1. Seat 1 of 2", "2. Seat 2 of 2"],
        "approval": ["1. Count"],
        "top-n": ["1. Count"],
    }[method]
    for heading in headings:
        assert f"\n{heading}\n" in done.stdout
    if method == "star":
        assert "Scoring round: the two highest totals advance to the runoff." in done.stdout
        assert "     Alice  20\n" in done.stdout and "   → Alice\n" in done.stdout


def test_a_tie_only_a_lot_can_break_is_drawn_and_the_lot_published(files: dict[str, str]):
    """VOTE-12: the official tie-break ends with the published lot; its seed (by default a
    digest of the candidate list) and the whole order come with the result."""
    done = command(files["tied.json"], "--method", "bloc-star", "--seats", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["winners"]) == 3 and data["winners"][:2] == ["Ana", "Ben"]
    assert sorted(data["lot"]["order"]) == ["Ana", "Ben", "Cai", "Dee", "Eli"]
    assert len(data["lot"]["seed"]) == 16
    drawn = [s for s in data["rounds"][2]["steps"] if s["kind"] == "lot"]
    assert drawn and drawn[0]["tied"] == ["Dee", "Eli"]
    assert (
        drawn[0]["text"] == f"Still tied: the published lot (seed {data['lot']['seed']}) decides."
    )


def test_with_tiebreak_none_the_tie_is_reported_with_the_seats_already_filled(
    files: dict[str, str],
):
    """VOTE-12: no lot is drawn; the count exits 0 with the tie and the winners so far."""
    done = command(
        files["tied.json"],
        "--method",
        "bloc-star",
        "--seats",
        "3",
        "--tiebreak",
        "none",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["tie"] == {"candidates": ["Dee", "Eli"], "needed": 1, "stage": "scoring"}
    assert data["winners"] == ["Ana", "Ben"] and "lot" not in data


def test_lang_es_prints_the_count_in_spanish(files: dict[str, str]):
    """BEY-3 in the reader's language. The expected lines come from the same Spanish
    catalogue the command uses, so this holds while the newest tally strings still await
    translation; once "Winners: …" is translated, the English must be gone."""
    done = command(files["scores.json"], "--method", "star", "--lang", "es")
    assert done.returncode == 0, done.stderr
    with translation.override("es"):
        winners = gettext("Winners: %(names)s") % {"names": "Alice"}
        method = gettext("Method: %(method)s · %(ballots)s ballots") % {
            "method": "star",
            "ballots": 6,
        }
        scoring = gettext("Scoring round: the two highest totals advance to the runoff.")
    assert done.stdout.startswith(method + "\n")
    assert f"\n{winners}\n" in done.stdout and f"   {scoring}\n" in done.stdout
    if winners != "Winners: Alice":  # translated in the catalogue
        assert "Winners:" not in done.stdout


def test_lang_es_explains_an_unreadable_file_in_spanish(tmp_path: Path):
    """BEY-2: "Cannot read …" is already in the Spanish catalogue."""
    done = command(str(tmp_path / "missing.json"), "--method", "star", "--lang", "es")
    assert done.returncode == 2
    assert "No se puede leer" in done.stderr and "missing.json" in done.stderr


def broken(tmp_path: Path, name: str, content: Any) -> str:
    return write(tmp_path / name, content)


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        (
            "score7.json",
            {"candidates": ["A", "B"], "ballots": [{"A": 5}, {"A": 1, "B": 7}]},
            ["--method", "star"],
            "Ballot 2 gives “B” 7; scores are whole numbers from 0 to 5.",
        ),
        (
            "unknown.json",
            {"candidates": ["A", "B"], "ballots": [{"A": 5}, {"B": 1}, {"Zed": 3}]},
            ["--method", "allocated-score", "--seats", "2"],
            "Ballot 3 names “Zed”, who is not a candidate.",
        ),
        (
            "short.csv",
            "voterID,date,pollID,A,B,C\nv1,d,p,5,4,3\nv2,d,p,5,4\n",
            ["--method", "star"],
            "Ballot 2 has 5 columns; the header has 6.",
        ),
        (
            "letters.csv",
            "voterID,date,pollID,A,B,C\nv1,d,p,5,four,3\n",
            ["--method", "bloc-star", "--seats", "2"],
            "Ballot 1 gives “B” four; scores are whole numbers from 0 to 5.",
        ),
        (
            # A star.vote export holds scores, not choices: it cannot be a choice vote.
            "choice.csv",
            "voterID,date,pollID,A,B\nv1,d,p,1,0\n",
            ["--method", "choice"],
            "Ballot 1 has an unknown field “A”.",
        ),
        (
            "seats.json",
            {"candidates": ["A", "B", "C"], "ballots": [{"A": 5}]},
            ["--method", "bloc-star", "--seats", "4"],
            "--seats must be between 1 and the number of candidates (3).",
        ),
        (
            "star2.json",
            {"candidates": ["A", "B", "C"], "ballots": [{"A": 5}]},
            ["--method", "star", "--seats", "2"],
            "STAR elects one winner; use bloc-star or allocated-score for several seats.",
        ),
    ],
    ids=[
        "score 7",
        "unknown candidate",
        "short CSV row",
        "non-numeric CSV cell",
        "CSV as a choice vote",
        "too many seats",
        "STAR with two seats",
    ],
)
def test_bad_input_exits_2_naming_the_ballot_and_the_field(
    tmp_path: Path, name: str, content: Any, args: list[str], message: str
):
    """BEY-2: a recount that cannot be done says exactly why, and prints no result."""
    done = command(broken(tmp_path, name, content), *args)
    assert done.returncode == 2
    assert done.stderr.strip() == message
    assert done.stdout == ""


def test_an_unreadable_file_exits_2_naming_it(tmp_path: Path):
    """BEY-2: a missing file and one that is not UTF-8 text are both refused."""
    missing = command(str(tmp_path / "nope.json"), "--method", "star")
    assert missing.returncode == 2
    assert missing.stderr.startswith("Cannot read ") and "nope.json" in missing.stderr
    assert "No such file or directory" in missing.stderr
    binary = tmp_path / "ballots.json"
    binary.write_bytes(b"\xff\xfe\x00ballots")
    refused = command(str(binary), "--method", "star")
    assert refused.returncode == 2 and refused.stderr.startswith(f"Cannot read {binary}: ")
