"""PRO-1: a malformed protocol is refused with every problem named by its path, and nothing
is loaded; a valid one loads into models the engine can ask."""

import pytest

from folkmoot.governance.protocol import (
    ProtocolInvalid,
    dump_protocol,
    load_protocol,
    parse_protocol,
)

from .documents import DELETE, as_yaml, document


def problems(**changes: object) -> list[str]:
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol(as_yaml(document(**changes)))
    return [p.render() for p in invalid.value.problems]


def test_the_small_document_is_valid_and_round_trips():
    protocol = load_protocol(as_yaml(document()))
    assert protocol.offices["coordinator"].seats == 5
    assert load_protocol(dump_protocol(protocol)) == protocol


def test_a_seat_count_below_one_names_the_path_and_the_bound():
    assert problems(**{"offices.coordinator.seats": 0}) == [
        "offices.coordinator.seats: must be ≥ 1"
    ]


def test_a_missing_field_is_named():
    assert problems(**{"decision_kinds.referendum.voters": DELETE}) == [
        "decision_kinds.referendum.voters: is required"
    ]


def test_an_unknown_field_is_refused_rather_than_ignored():
    assert problems(**{"offices.coordinator.salary": 100}) == [
        "offices.coordinator.salary: is not a known field"
    ]


def test_an_unknown_audience_is_explained():
    (message,) = problems(**{"forums.announcements.read": "martians"})
    assert message.startswith("forums.announcements.read.any_of: “martians” is not an audience")


def test_a_reference_to_an_undeclared_office_is_caught_after_the_fields_are_valid():
    assert problems(**{"forums.announcements.reply": "office:treasurer"}) == [
        "forums.announcements.reply: names an office that is not declared: “treasurer”"
    ]


def test_an_amendment_rule_must_name_a_declared_decision_kind():
    assert problems(**{"amendments.partial.decision_kind": "plebiscite"}) == [
        "amendments.partial.decision_kind: names a decision kind that is not declared: “plebiscite”"
    ]


def test_an_election_anchor_must_fall_on_the_opening_weekday():
    (message,) = problems(**{"offices.coordinator.election.anchor": "2026-01-06"})
    assert message == "offices.coordinator.election: the anchor 2026-01-06 is not a monday"


def test_a_wrong_weekday_lists_the_choices():
    (message,) = problems(**{"offices.coordinator.election.opens_on": "funday"})
    assert message.startswith("offices.coordinator.election.opens_on: must be one of: monday")


def test_every_problem_is_reported_at_once():
    found = problems(
        **{
            "offices.coordinator.seats": 0,
            "decision_kinds.referendum.secret": "perhaps",
            "timezone": "Mars/Olympus",
        }
    )
    assert len(found) == 3
    assert "timezone: “Mars/Olympus” is not a known time zone" in found


def test_voting_durations_must_be_ordered():
    (message,) = problems(
        **{"decision_kinds.referendum.voting": {"min_days": 8, "max_days": 7, "default_days": 7}}
    )
    assert (
        message
        == "decision_kinds.referendum.voting: must satisfy min_days ≤ default_days ≤ max_days"
    )


def test_broken_yaml_names_the_line():
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol("protocol: x\nversion: [1\n")
    (problem,) = invalid.value.problems
    assert problem.code == "yaml" and "line 3" in problem.render()


def test_a_document_that_is_not_a_mapping_is_refused():
    with pytest.raises(ProtocolInvalid) as invalid:
        parse_protocol(["not", "a", "protocol"])
    assert (
        invalid.value.problems[0].render() == "(document): the document must be a mapping of fields"
    )


def test_problems_render_through_a_translator():
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol(as_yaml(document(**{"offices.coordinator.seats": 0})))
    catalogue = {"must be ≥ %(ge)s": "debe ser ≥ %(ge)s"}
    assert (
        invalid.value.problems[0].render(lambda s: catalogue.get(s, s))
        == "offices.coordinator.seats: debe ser ≥ 1"
    )


def test_localized_text_falls_back_to_english():
    protocol = load_protocol(as_yaml(document()))
    assert protocol.offices["coordinator"].name.get("fr") == "Coordinator"
    assert protocol.offices["coordinator"].name.get("es") == "Coordinador"
