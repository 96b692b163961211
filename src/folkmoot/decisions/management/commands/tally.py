"""`folkmoot tally BALLOTS --method …`: count a ballot file and print every round (BEY-2)."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from folkmoot.decisions.explain import result_text
from folkmoot.governance.tally.allocated import allocated_score
from folkmoot.governance.tally.ballots import BallotError, ScoreBallots
from folkmoot.governance.tally.choice import ChoiceCounts, approval, choice_vote, marks_from_dicts
from folkmoot.governance.tally.files import read_json, read_star_vote_csv
from folkmoot.governance.tally.result import Result
from folkmoot.governance.tally.star import bloc_star, star

METHODS = ["star", "bloc-star", "allocated-score", "choice", "approval", "top-n"]


def count(
    method: str,
    candidates: list[str],
    ballots: list[Any],
    seats: int,
    tiebreak: Any,
    seed: str | None,
) -> Result:
    if method in ("star", "bloc-star", "allocated-score"):
        scored = ScoreBallots.from_dicts(candidates, ballots)
        if method == "star":
            return star(scored, tiebreak=tiebreak, seed=seed)
        if method == "bloc-star":
            return bloc_star(scored, seats=seats, tiebreak=tiebreak, seed=seed)
        return allocated_score(scored, seats=seats, tiebreak=tiebreak, seed=seed)
    if method == "choice":
        return choice_vote(ChoiceCounts.from_dicts(candidates, ballots))
    marks, voters = marks_from_dicts(
        candidates, ballots, limit=seats if method == "top-n" else None
    )
    return approval(
        candidates, marks, seats=seats, voters=voters, tiebreak=tiebreak, seed=seed, method=method
    )


class Command(BaseCommand):
    # Reads a file and prints; the project's system checks add only start-up time here.
    requires_system_checks: list[str] = []
    help = "Count a ballot file (JSON, or a star.vote CSV export) and print the winners and every round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ballots", help="a JSON ballot file or a star.vote CSV export")
        parser.add_argument("--method", choices=METHODS, required=True)
        parser.add_argument("--seats", type=int, default=1)
        parser.add_argument("--tiebreak", choices=["official", "none"], default="official")
        parser.add_argument(
            "--seed", help="the published lot seed (default: a digest of the candidate list)"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--lang", choices=["en", "es", "fr", "ja"], default="en")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            path = Path(options["ballots"])
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as missing:
                self.fail(
                    _("Cannot read %(file)s: %(error)s")
                    % {"file": path, "error": getattr(missing, "strerror", None) or missing}
                )
            try:
                if path.suffix.lower() == ".csv":
                    candidates, ballots = read_star_vote_csv(text)
                else:
                    candidates, ballots = read_json(text)
                if options["method"] in ("star",) and options["seats"] != 1:
                    self.fail(
                        _(
                            "STAR elects one winner; use bloc-star or allocated-score for several seats."
                        )
                    )
                if not 1 <= options["seats"] <= len(candidates):
                    self.fail(
                        _("--seats must be between 1 and the number of candidates (%(n)s).")
                        % {"n": len(candidates)}
                    )
                result = count(
                    options["method"],
                    candidates,
                    ballots,
                    options["seats"],
                    options["tiebreak"],
                    options["seed"],
                )
            except BallotError as bad:
                self.fail(bad.reason.render(_, options["lang"]))
                return
            data = result.as_dict(_, options["lang"])
            if options["format"] == "json":
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(result_text(data), ending="")
