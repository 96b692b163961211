"""VOTE-2, RED15M art. 9.1: a MegaPoll asks several questions on one ballot, each with its
own options and result. Only a kind the protocol marks `multi_question` carries more than
one; each further question is written as a question and at least two options."""

from __future__ import annotations

from collections.abc import Sequence

from .protocol import DecisionKind
from .reasons import Answer, Reason, combine, gettext_noop

MAX_QUESTIONS = 12  # the first and at most eleven more: one ballot page stays readable


def check_more_questions(
    kind: DecisionKind, questions: Sequence[tuple[str, Sequence[str]]]
) -> Answer:
    if not questions:
        return Answer.yes()
    if not kind.multi_question:
        return Answer.no(
            Reason(
                "one_question",
                gettext_noop("A decision of this kind asks one question; a MegaPoll asks several."),
            )
        )
    if kind.method != "choice":
        return Answer.no(
            Reason(
                "questions_single_choice",
                gettext_noop("Several questions are asked on single-choice ballots only."),
            )
        )
    answers: list[Answer] = []
    if len(questions) + 1 > MAX_QUESTIONS:
        answers.append(
            Answer.no(
                Reason(
                    "many_questions",
                    gettext_noop("At most %(most)s questions on one ballot."),
                    {"most": MAX_QUESTIONS},
                )
            )
        )
    for number, (question, options) in enumerate(questions, start=2):
        if not question.strip() or len(question) > 300:
            answers.append(
                Answer.no(
                    Reason(
                        "question_text",
                        gettext_noop(
                            "Question %(number)s needs its text, of at most 300 characters."
                        ),
                        {"number": number},
                    )
                )
            )
        cleaned = [o.strip() for o in options if o.strip()]
        if len(cleaned) < 2 or len(cleaned) > 20 or len(set(cleaned)) != len(cleaned):
            answers.append(
                Answer.no(
                    Reason(
                        "question_options",
                        gettext_noop("Question %(number)s needs from 2 to 20 different options."),
                        {"number": number},
                    )
                )
            )
        elif any(len(o) > 200 for o in cleaned):
            answers.append(
                Answer.no(
                    Reason(
                        "question_option_long",
                        gettext_noop("An option of question %(number)s is over 200 characters."),
                        {"number": number},
                    )
                )
            )
    return combine(*answers) if answers else Answer.yes()
