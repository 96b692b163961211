"""Reading ballot files for `folkmoot tally` (BEY-2): anyone can recount.

JSON: `{"candidates": ["Alice", "Bob"], "ballots": [{"Alice": 5, "Bob": 3}, …]}` — a missing
candidate scores 0. Choice votes: `{"choice": "Alice"}`, `{"choice": null}` for blank, and
`"valid": false` for a voter who holds the vote null. Approval and top-N: marks of 0 or 1.

CSV: star.vote's export — a header row, then one row per ballot; the first three columns
(voter id, date, poll id) are skipped, the rest are the candidates' scores (empty = 0).

Limits (issue 10), checked before anything is counted: at most MAX_CANDIDATES candidates, at
most MAX_CELLS ballots × candidates, and no nesting deeper than the nesting module allows —
a recount of any real vote fits, and a hostile file cannot take the machine's memory."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from folkmoot.governance.nesting import MAX_DEPTH, TooNested, check_shape
from folkmoot.governance.reasons import Reason, gettext_noop

from .ballots import BallotError

# Counting needs candidates² pairwise counts and ballots × candidates scores in memory:
# 1,000 candidates are 8 MB of pairs; 10 million cells are a few hundred megabytes.
MAX_CANDIDATES = 1_000
MAX_CELLS = 10_000_000


def too_deep() -> BallotError:
    return BallotError(
        Reason(
            "too_deep",
            gettext_noop(
                "The file is nested too deeply: a ballot file has at most %(limit)s levels."
            ),
            {"limit": MAX_DEPTH},
        )
    )


def check_width(candidates: list[str], ballots: int) -> None:
    """Refuse, before allocating anything, a count that would not fit in memory."""
    if len(candidates) > MAX_CANDIDATES:
        raise BallotError(
            Reason(
                "too_many_candidates",
                gettext_noop(
                    "The file has %(count)s candidates; at most %(limit)s can be counted."
                ),
                {"count": len(candidates), "limit": MAX_CANDIDATES},
            )
        )
    if ballots * len(candidates) > MAX_CELLS:
        raise BallotError(
            Reason(
                "too_many_cells",
                gettext_noop(
                    "The file has %(ballots)s ballots for %(candidates)s candidates; at most "
                    "%(limit)s scores (ballots × candidates) can be counted."
                ),
                {"ballots": ballots, "candidates": len(candidates), "limit": MAX_CELLS},
            )
        )


def read_json(text: str) -> tuple[list[str], list[Any]]:
    try:
        data = json.loads(text)
        check_shape(data, max_values=None)
    except (RecursionError, TooNested) as deep:
        raise too_deep() from deep
    except json.JSONDecodeError as broken:
        raise BallotError(
            Reason(
                "json",
                gettext_noop("The file is not valid JSON (line %(line)s): %(problem)s."),
                {"line": broken.lineno, "problem": broken.msg},
            )
        ) from broken
    if not isinstance(data, dict) or "candidates" not in data or "ballots" not in data:
        raise BallotError(
            Reason(
                "json_shape",
                gettext_noop("The file must be a JSON object with “candidates” and “ballots”."),
            )
        )
    candidates, ballots = data["candidates"], data["ballots"]
    if (
        not isinstance(candidates, list)
        or not candidates
        or not all(isinstance(c, str) and c for c in candidates)
    ):
        raise BallotError(
            Reason(
                "candidates_shape", gettext_noop("“candidates” must be a non-empty list of names.")
            )
        )
    if not isinstance(ballots, list):
        raise BallotError(Reason("ballots_shape", gettext_noop("“ballots” must be a list.")))
    check_width(candidates, len(ballots))
    return candidates, ballots


def read_star_vote_csv(text: str) -> tuple[list[str], list[dict[str, int]]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is not None and len(header) > 3:
        check_width(header[3:], 0)  # before reading every row
    rows = [header, *reader] if header is not None else []
    if not rows or len(rows[0]) < 4:
        raise BallotError(
            Reason(
                "csv_header",
                gettext_noop(
                    "The CSV needs a header: voter id, date, poll id, then one column per candidate."
                ),
            )
        )
    candidates = [c.strip() for c in rows[0][3:]]
    check_width(candidates, len(rows) - 1)
    ballots: list[dict[str, int]] = []
    for number, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(rows[0]):
            raise BallotError(
                Reason(
                    "csv_row_length",
                    gettext_noop(
                        "Ballot %(ballot)s has %(cells)s columns; the header has %(expected)s."
                    ),
                    {"ballot": number, "cells": len(row), "expected": len(rows[0])},
                )
            )
        ballot: dict[str, int] = {}
        for name, cell in zip(candidates, row[3:], strict=True):
            cell = cell.strip()
            if not cell:
                continue
            try:
                ballot[name] = int(cell)
            except ValueError as bad:
                raise BallotError(
                    Reason(
                        "bad_score",
                        gettext_noop(
                            "Ballot %(ballot)s gives “%(candidate)s” %(score)s; scores are whole numbers from 0 to %(max)s."
                        ),
                        {"ballot": number, "candidate": name, "score": cell, "max": 5},
                    )
                ) from bad
        ballots.append(ballot)
    return candidates, ballots
