"""Reading ballot files for `folkmoot tally` (BEY-2): anyone can recount.

JSON: `{"candidates": ["Alice", "Bob"], "ballots": [{"Alice": 5, "Bob": 3}, …]}` — a missing
candidate scores 0. Choice votes: `{"choice": "Alice"}`, `{"choice": null}` for blank, and
`"valid": false` for a voter who holds the vote null. Approval and top-N: marks of 0 or 1.

CSV: star.vote's export — a header row, then one row per ballot; the first three columns
(voter id, date, poll id) are skipped, the rest are the candidates' scores (empty = 0)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from folkmoot.governance.reasons import Reason, gettext_noop

from .ballots import BallotError


def read_json(text: str) -> tuple[list[str], list[Any]]:
    try:
        data = json.loads(text)
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
    return candidates, ballots


def read_star_vote_csv(text: str) -> tuple[list[str], list[dict[str, int]]]:
    rows = list(csv.reader(io.StringIO(text)))
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
