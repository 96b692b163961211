"""The presets that ship (PRO-4): RED15M Protocol 2.0 article by article, Harmony's fractal
democracy and the small default. No database: the presets are data and the core answers
from them. docs/protocols/red15m-mapping.md maps every article to these tests."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel

from folkmoot.governance.amendment import AmendmentTally, amendment_carried
from folkmoot.governance.audience import (
    Viewer,
    check_forum,
    has_power,
    in_audience,
    may_open_thread,
    may_propose,
    may_read,
    may_reply,
    may_stand,
    may_vote,
    may_vote_in_election,
)
from folkmoot.governance.presets import PRESETS, load_preset
from folkmoot.governance.protocol import (
    LANGUAGES,
    LocalizedText,
    Support,
    Weekday,
    dump_protocol,
    load_protocol,
)
from folkmoot.governance.sanctions import non_grata_appearance, sanction_for
from folkmoot.governance.schedule import election_window

TODAY = date(2026, 3, 1)
RED = load_preset("red15m")
HARMONY = load_preset("harmony")
DEFAULT = load_preset("default")

ANONYMOUS = Viewer()
PLATFORM = Viewer(authenticated=True)
PARTICIPANT = Viewer(authenticated=True, status="participant", seniority_days=365)
CITIZEN = Viewer(authenticated=True, status="member", seniority_days=365)
COORDINATOR = replace(CITIZEN, offices=frozenset({"coordinator"}))
DRAFTER = replace(CITIZEN, offices=frozenset({"drafter"}))
DESIGNER = replace(CITIZEN, offices=frozenset({"designer"}))
SECRETARY = replace(CITIZEN, offices=frozenset({"secretary"}))

VIEWERS = {
    "anonymous": ANONYMOUS,
    "platform": PLATFORM,
    "participant": PARTICIPANT,
    "citizen": CITIZEN,
    "coordinator": COORDINATOR,
    "drafter": DRAFTER,
}

# Art. 2 (FOR-2): who may read, open a thread and reply ("escritura") in each forum.
EVERYONE = frozenset(VIEWERS)
PLATFORM_CITIZENS = EVERYONE - {"anonymous"}  # "Ciudadanos global"
CITIZENS = frozenset({"citizen", "coordinator", "drafter"})
COORDINATION = frozenset({"coordinator"})
DRAFTING_TEAM = frozenset({"drafter"})
ART_2 = {
    "announcements": (CITIZENS, COORDINATION, COORDINATION),
    "votes": (EVERYONE, CITIZENS, CITIZENS),
    "debates": (EVERYONE, CITIZENS, PLATFORM_CITIZENS),
    "coordination": (CITIZENS, COORDINATION, COORDINATION),
    "drafting": (EVERYONE, DRAFTING_TEAM | COORDINATION, DRAFTING_TEAM),
    "design": (CITIZENS, CITIZENS, CITIZENS),
    "history": (EVERYONE, COORDINATION, COORDINATION),
    "approved": (EVERYONE, COORDINATION, COORDINATION),
    "trash": (EVERYONE, COORDINATION, COORDINATION),
}
ACTIONS = ("read", "open_thread", "reply")

BINDING_KINDS = ("referendum", "proposal", "internal", "amendment", "design", "office_referendum")
POLL_KINDS = ("poll", "megapoll", "weekly_poll")
AS_REFERENDUM = ("proposal", "amendment")


def localized_texts(value: Any, path: str = "") -> list[tuple[str, LocalizedText]]:
    """Every LocalizedText in a model, with the path where it is."""
    if isinstance(value, LocalizedText):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [
            found
            for name in type(value).model_fields
            for found in localized_texts(getattr(value, name), f"{path}.{name}".lstrip("."))
        ]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in localized_texts(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [t for i, v in enumerate(value) for t in localized_texts(v, f"{path}.{i}")]
    return []


# --- every preset (PRO-1, PRO-4, UI-1) ------------------------------------------------------


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_round_trips_through_dump_and_load_to_an_equal_model(name):
    """PRO-1: the stored form of a protocol is lossless."""
    protocol = load_preset(name)
    assert load_protocol(dump_protocol(protocol)) == protocol


@pytest.mark.parametrize("name", PRESETS)
def test_every_name_and_description_of_each_preset_is_written_in_four_languages(name):
    """UI-1: names, descriptions, offences are given in en, es, fr and ja."""
    texts = localized_texts(load_preset(name))
    assert len(texts) > 10
    missing = [
        f"{path}.{lang}" for path, text in texts for lang in LANGUAGES if not getattr(text, lang)
    ]
    assert missing == []


@pytest.mark.parametrize("name", PRESETS)
def test_every_office_of_each_preset_has_a_plural_for_sentences_about_its_holders(name):
    """OFF-1: refusals name holders in the plural ("only coordinators may")."""
    assert all(office.plural is not None for office in load_preset(name).offices.values())


# --- RED15M preamble: amendments (PRO-2, PRO-3) ---------------------------------------------


def test_red15m_is_protocol_2_0_in_madrid_time():
    """Preamble: "Protocolo de funcionamiento 2.0"; VirtualPol ran on Spanish time."""
    assert (RED.protocol, RED.version, RED.timezone) == ("red15m", "2.0", "Europe/Madrid")
    assert RED.title.get("es").startswith("Asamblea RED15M")


def test_a_total_amendment_needs_an_absolute_majority_of_coordinators_and_a_referendum():
    """Preamble, PRO-2: absolute majority of coordinators (3 of 5) and, in a referendum,
    half plus one of the citizens who vote."""
    total = RED.amendments.total
    assert total.office_approval is not None
    assert (total.office_approval.office, total.office_approval.rule) == (
        "coordinator",
        "absolute_majority",
    )
    assert RED.offices["coordinator"].seats // 2 + 1 == 3  # "en la actualidad 3 de 5"
    assert total.vote == "half_plus_one_of_voters"
    referendum = RED.decision_kinds[total.decision_kind]
    assert total.decision_kind == "referendum"
    assert referendum.binding
    assert referendum.voters.any_of == ["citizen"]


def test_a_partial_amendment_needs_a_simple_majority_vote_and_three_coordinators():
    """Preamble, PRO-2: "mayoría simple más 3 Coordinadores"."""
    partial = RED.amendments.partial
    assert partial.office_approval is not None
    assert partial.office_approval.model_dump() == {
        "office": "coordinator",
        "rule": "count",
        "count": 3,
    }
    assert partial.vote == "simple_majority"
    assert partial.decision_kind == "amendment"
    assert RED.decision_kinds["amendment"].binding


def test_the_most_recent_norm_approved_by_referendum_prevails():
    """Preamble, PRO-3: "siempre tendrá validez la norma más reciente aprobada en Referendum"."""
    assert RED.amendments.latest_referendum_prevails


# --- RED15M chapter 1: forums (arts. 1–5, FOR-1..5) ------------------------------------------


def test_red15m_has_exactly_the_nine_forums_of_art_2():
    """Art. 2, FOR-2: Comunicados, Votaciones, Debates, Coordinación, Redacción, Diseño,
    Historial, Aprobadas, Papelera."""
    assert list(RED.forums) == list(ART_2)
    assert [f.name.get("es") for f in RED.forums.values()] == [
        "Comunicados",
        "Votaciones",
        "Debates",
        "Coordinación",
        "Redacción",
        "Diseño",
        "Historial",
        "Aprobadas",
        "Papelera",
    ]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", list(VIEWERS))
@pytest.mark.parametrize("forum", list(ART_2))
def test_each_audience_may_act_in_each_forum_exactly_as_art_2_says(forum, who, action):
    """Art. 2, FOR-1, FOR-2: the permission matrix of the nine forums."""
    expected = who in ART_2[forum][ACTIONS.index(action)]
    answer = check_forum(RED, forum, action, VIEWERS[who], TODAY)
    assert answer.allowed is expected
    assert bool(answer.reasons) is not expected


def test_anonymous_may_read_votes_but_not_open_a_thread_or_reply():
    """Art. 2 VOTACIONES: "Lectura: Anónimos; Abrir hilo: Ciudadanos; Escritura: Ciudadanos"."""
    assert may_read(RED, "votes", ANONYMOUS, TODAY)
    assert not may_open_thread(RED, "votes", ANONYMOUS, TODAY)
    assert not may_reply(RED, "votes", ANONYMOUS, TODAY)


def test_any_signed_in_person_of_the_platform_may_reply_in_debates_but_only_citizens_open():
    """Art. 2 DEBATES: "Abrir hilo: Ciudadanos; Escritura: Ciudadanos global"."""
    assert may_reply(RED, "debates", PLATFORM, TODAY)
    refused = may_open_thread(RED, "debates", PLATFORM, TODAY)
    assert not refused
    assert refused.reasons[0].render() == (
        "You can't open a thread in Debates: only citizens (members) of the assembly may."
    )


def test_announcements_admit_no_discussion_so_only_coordinators_reply():
    """Art. 2 COMUNICADOS: conclusions already debated "no admitirán una posible discusión"."""
    forum = RED.forums["announcements"]
    assert forum.discussion is False
    assert not may_reply(RED, "announcements", CITIZEN, TODAY)
    assert may_reply(RED, "announcements", COORDINATOR, TODAY)


def test_a_citizen_refused_in_announcements_is_told_in_english_who_may():
    """Art. 2 COMUNICADOS, FOR-1: the refusal names the forum and the office in words."""
    (reason,) = may_open_thread(RED, "announcements", CITIZEN, TODAY).reasons
    assert reason.code == "forum_open_thread"
    assert reason.render() == "You can't open a thread in Announcements: only coordinators may."


def test_a_citizen_refused_in_announcements_is_told_with_the_spanish_names_of_the_preset():
    """Art. 2 COMUNICADOS, UI-1: rendered in Spanish, the reason uses the preset's es names."""
    (reason,) = may_open_thread(RED, "announcements", CITIZEN, TODAY).reasons
    text = reason.render(None, "es")
    assert "Comunicados" in text
    assert "Coordinadores" in text


def test_an_anonymous_reader_refused_in_coordination_sees_the_spanish_forum_name():
    """Art. 2 COORDINACIÓN: "Lectura: Ciudadanos"."""
    (reason,) = may_read(RED, "coordination", ANONYMOUS, TODAY).reasons
    assert reason.code == "forum_read"
    assert "Coordinación" in reason.render(None, "es")


def test_a_coordinator_may_open_a_drafting_thread_but_only_drafters_write_in_it():
    """Art. 2 REDACCIÓN: "Abrir hilos: Redacción y Coordinación; Escritura: Redacción"."""
    assert may_open_thread(RED, "drafting", COORDINATOR, TODAY)
    refused = may_reply(RED, "drafting", COORDINATOR, TODAY)
    assert not refused
    assert "Redactores" in refused.reasons[0].render(None, "es")
    assert may_reply(RED, "drafting", DRAFTER, TODAY)


def test_announcement_threads_carry_oficial_or_com():
    """Art. 2 COMUNICADOS: [OFICIAL] for protocol and declarations, [COM] for the rest."""
    forum = RED.forums["announcements"]
    assert forum.tags == ["[OFICIAL]", "[COM]"]
    assert forum.tag_required


def test_vote_proposal_threads_carry_their_kind_in_the_title():
    """Art. 2 VOTACIONES, art. 10: [PROPUESTA-SONDEO], [PROPUESTA-REFERENDUM], [ENMIENDA]."""
    forum = RED.forums["votes"]
    assert forum.tags == ["[PROPUESTA-SONDEO]", "[PROPUESTA-REFERENDUM]", "[ENMIENDA]"]
    assert forum.tag_required
    assert forum.role == "votes"


def test_debate_threads_carry_debate_info_or_info_debate():
    """Art. 2 DEBATES: "Los hilos se deben diferenciar poniendo la etiqueta"."""
    forum = RED.forums["debates"]
    assert forum.tags == ["[DEBATE]", "[INFO]", "[INFO-DEBATE]"]
    assert forum.tag_required


def test_forums_without_tags_in_art_2_do_not_require_one():
    """Art. 2: only Comunicados, Votaciones and Debates name tags."""
    untagged = [key for key, f in RED.forums.items() if not f.tags]
    assert untagged == ["coordination", "drafting", "design", "history", "approved", "trash"]
    assert not any(RED.forums[key].tag_required for key in untagged)


def test_special_forums_have_their_roles_and_archive_forums_are_not_archived_again():
    """Art. 2, FOR-3: Redacción, Diseño, Historial, Aprobadas and Papelera have a role."""
    roles = {key: f.role for key, f in RED.forums.items() if f.role != "normal"}
    assert roles == {
        "votes": "votes",
        "drafting": "drafting",
        "design": "design",
        "history": "history",
        "approved": "approved",
        "trash": "trash",
    }
    assert [k for k, f in RED.forums.items() if not f.archivable] == [
        "history",
        "approved",
        "trash",
    ]


def test_threads_move_to_history_after_three_months_and_to_trash_after_six_with_two_quiet():
    """Art. 2 HISTORIAL and PAPELERA, FOR-3."""
    archival = RED.archival
    assert archival is not None
    assert (archival.history_forum, archival.trash_forum) == ("history", "trash")
    assert archival.inactive_days_to_history == 90
    assert (archival.age_days_to_trash, archival.inactive_days_to_trash) == (180, 60)


def test_a_citizen_may_ask_in_writing_to_rescue_a_thread_from_history():
    """Art. 2 HISTORIAL, FOR-3: "petición firme de rescate ... por escrito a Coordinación"."""
    assert RED.archival is not None
    assert in_audience(RED.archival.rescue_by, CITIZEN, TODAY)
    assert not in_audience(RED.archival.rescue_by, PLATFORM, TODAY)


def test_changing_forums_needs_a_binding_referendum_or_every_coordinator_when_urgent():
    """Art. 3, FOR-5."""
    changes = RED.forum_changes
    assert changes is not None
    kind = RED.decision_kinds[changes.decision_kind]
    assert kind.binding
    assert kind.voters.any_of == ["citizen"]
    assert changes.urgent_office == "coordinator"


def test_moderation_belongs_to_coordination():
    """Art. 4, art. 6, SAN-1: only coordinators moderate and sanction."""
    assert has_power(RED, COORDINATOR, "moderate")
    assert has_power(RED, COORDINATOR, "sanction")
    for viewer in (CITIZEN, DRAFTER, DESIGNER):
        assert not has_power(RED, viewer, "moderate")
        assert not has_power(RED, viewer, "sanction")
    assert [k for k, o in RED.offices.items() if "moderate" in o.powers] == ["coordinator"]
    assert RED.sanctions is not None
    assert RED.sanctions.imposed_by == "coordinator"


def test_every_moderation_carries_a_sanction_of_thirty_minutes_to_two_hours_doubling():
    """Art. 5, SAN-1 (the arithmetic is in tests/governance/test_sanctions.py)."""
    assert RED.sanctions is not None
    moderation = RED.sanctions.moderation
    assert (moderation.min_minutes, moderation.max_minutes) == (30, 120)
    assert moderation.repeat_multiplier == 2


# --- RED15M chapter 2: offices (arts. 6–8, OFF-1..6) -----------------------------------------


def test_red15m_has_coordinators_drafters_and_designers():
    """Art. 7: "Se crean los siguientes cargos": Coordinador, Redactor, Diseñador."""
    assert {k: (o.name.get("es"), o.seats) for k, o in RED.offices.items()} == {
        "coordinator": ("Coordinador", 5),
        "drafter": ("Redactor", 3),
        "designer": ("Diseñador", 3),
    }


def test_coordinators_serve_28_day_terms_elected_in_48_hours_from_monday_midnight():
    """Art. 7.1, OFF-2: "Las legislaturas duran 28 días, siendo las elecciones de 48 horas de
    Lunes a Miércoles" (calendar arithmetic: tests/governance/test_schedule.py)."""
    office = RED.offices["coordinator"]
    calendar = office.election
    assert calendar is not None
    assert office.term_days == calendar.every_days == 28
    assert (calendar.opens_on, calendar.opens_at, calendar.duration_hours) == (
        Weekday.MONDAY,
        time(0, 0),
        48,
    )
    assert calendar.anchor.weekday() == 0
    closes = datetime.combine(calendar.anchor, calendar.opens_at) + timedelta(hours=48)
    assert (closes.strftime("%A"), closes.time()) == ("Wednesday", time(0, 0))


@pytest.mark.parametrize("office", ["drafter", "designer"])
def test_drafters_and_designers_are_elected_every_35_days_from_thursday_to_saturday_at_20(
    office,
):
    """Art. 7.2, art. 7.3, OFF-2: every 35 days, two days, Thursday to Saturday at 20:00."""
    holder = RED.offices[office]
    calendar = holder.election
    assert calendar is not None
    assert holder.seats == 3
    assert holder.term_days == calendar.every_days == 35
    assert (calendar.opens_on, calendar.opens_at, calendar.duration_hours) == (
        Weekday.THURSDAY,
        time(20, 0),
        48,
    )
    assert calendar.anchor.weekday() == 3
    closes = datetime.combine(calendar.anchor, calendar.opens_at) + timedelta(hours=48)
    assert (closes.strftime("%A"), closes.time()) == ("Saturday", time(20, 0))


def test_coordinators_hold_the_powers_art_7_gives_them():
    """Arts. 6, 7.1, 10, 16: manage the tool, moderate, sanction, launch votes, support
    proposals, validate polls unilaterally."""
    assert set(RED.offices["coordinator"].powers) == {
        "moderate",
        "sanction",
        "launch_votes",
        "support_proposals",
        "validate_polls",
        "manage_members",
    }
    assert has_power(RED, COORDINATOR, "validate_polls")
    assert not has_power(RED, CITIZEN, "launch_votes")


def test_drafters_approve_drafts_and_designers_approve_designs():
    """Art. 7.2 and 7.3, OFF-2."""
    assert RED.offices["drafter"].powers == ["approve_drafts"]
    assert RED.offices["designer"].powers == ["approve_designs"]
    assert has_power(RED, DRAFTER, "approve_drafts")
    assert not has_power(RED, DRAFTER, "approve_designs")
    assert has_power(RED, DESIGNER, "approve_designs")
    assert not has_power(RED, COORDINATOR, "approve_drafts")


def test_a_coordinator_who_breaks_the_protocol_is_suspended_3_days_tripling_then_indefinitely():
    """Art. 7.1, OFF-6 (arithmetic: tests/governance/test_sanctions.py)."""
    suspension = RED.offices["coordinator"].suspension
    assert suspension is not None
    assert suspension.model_dump() == {"first_days": 3, "multiplier": 3, "indefinite_after": 3}


def test_a_coordinator_inactive_beyond_14_days_must_tell_the_others():
    """Art. 7.1, OFF-6: "más allá de 14 días (mitad de legislatura)"."""
    office = RED.offices["coordinator"]
    assert office.inactivity_notice_days == 14
    assert office.term_days is not None
    assert office.inactivity_notice_days * 2 == office.term_days


def test_coordinator_misconduct_earns_3_to_6_days_and_a_repeat_bars_the_office():
    """Art. 7.1: minimum 3, maximum 6 days; a repeat earns a permanent sanction."""
    misconduct = RED.offices["coordinator"].misconduct
    assert misconduct is not None
    assert (misconduct.min_days, misconduct.max_days, misconduct.permanent_after) == (3, 6, 1)


@pytest.mark.parametrize("office", ["drafter", "designer"])
def test_drafter_and_designer_misconduct_earns_1_to_3_days_doubling(office):
    """Art. 7.2, art. 7.3: minimum 1 day, maximum 3; a repeat doubles it."""
    misconduct = RED.offices[office].misconduct
    assert misconduct is not None
    assert (misconduct.min_days, misconduct.max_days, misconduct.repeat_multiplier) == (1, 3, 2)
    assert misconduct.permanent_after is None
    assert RED.offices[office].suspension is None


@pytest.mark.parametrize("office", ["coordinator", "drafter", "designer"])
def test_changing_the_seats_or_terms_of_an_office_needs_a_binding_referendum_of_10_to_22_days(
    office,
):
    """Art. 7.1, 7.2, 8.6, OFF-5."""
    kind = RED.decision_kinds[RED.offices[office].seat_changes_need or ""]
    assert kind.binding
    assert kind.secret
    assert kind.voters.any_of == ["citizen"]
    assert (kind.voting.min_days, kind.voting.max_days) == (10, 22)


@pytest.mark.parametrize("office", ["coordinator", "drafter", "designer"])
def test_the_candidates_with_most_votes_fill_the_seats(office):
    """Art. 8.3, OFF-4."""
    assert RED.offices[office].voting_method == "top_n"
    assert RED.offices[office].elected


def test_any_citizen_may_stand_for_as_many_offices_as_they_like():
    """Art. 8.1, art. 8.4, OFF-3."""
    for office in RED.offices:
        assert may_stand(RED, office, CITIZEN, TODAY)
        assert may_stand(RED, office, COORDINATOR, TODAY)
        refused = may_stand(RED, office, PARTICIPANT, TODAY)
        assert not refused
        assert refused.reasons[0].code == "may_not_stand"


@pytest.mark.parametrize("office", ["coordinator", "drafter", "designer"])
def test_a_citizen_with_59_days_may_not_vote_in_an_election_and_is_told_60(office):
    """Art. 15, VOTE-10: two months of continuous membership."""
    answer = may_vote_in_election(RED, office, replace(CITIZEN, seniority_days=59), TODAY)
    assert not answer
    (reason,) = answer.reasons
    assert reason.code == "election_seniority"
    assert "60" in reason.render()
    assert "59" in reason.render()
    assert RED.offices[office].name.get("es") in reason.render(None, "es")


@pytest.mark.parametrize("office", ["coordinator", "drafter", "designer"])
def test_a_citizen_with_60_days_may_vote_in_an_election(office):
    """Art. 15, VOTE-10."""
    assert RED.offices[office].electorate.min_seniority_days == 60
    assert may_vote_in_election(RED, office, replace(CITIZEN, seniority_days=60), TODAY)


def test_a_participant_who_is_not_a_citizen_may_not_vote_in_elections_however_long_they_stay():
    """Art. 8.2, art. 15: elections are for the Assembly's own citizens."""
    answer = may_vote_in_election(RED, "coordinator", PARTICIPANT, TODAY)
    assert [r.code for r in answer.reasons] == ["not_in_election_electorate"]
    assert not may_vote_in_election(RED, "coordinator", PLATFORM, TODAY)


# --- RED15M chapter 3: votes (arts. 9–15, VOTE-2..9) -----------------------------------------


def test_red15m_has_the_vote_kinds_of_art_9_with_their_tags():
    """Art. 9, VOTE-2: sondeo, megasondeo, referéndum, propuesta, votación interna, enmienda;
    plus design votes (art. 7.3), weekly polls (art. 12) and office referendums (art. 8.6)."""
    assert {k: kind.tag for k, kind in RED.decision_kinds.items()} == {
        "poll": "[SONDEO]",
        "megapoll": "[MEGASONDEO]",
        "referendum": "[REFERENDUM]",
        "proposal": "[PROPUESTA]",
        "internal": "[VOTACIÓN CARGO]",
        "amendment": "[ENMIENDA]",
        "design": None,
        "weekly_poll": "[SONDEO]",
        "office_referendum": "[REFERENDUM]",
    }


@pytest.mark.parametrize("kind", POLL_KINDS)
def test_polls_are_not_binding_public_and_open_to_the_whole_platform(kind):
    """Art. 9.1, art. 10.4, VOTE-2, VOTE-5: consultative; public and platform-wide."""
    poll = RED.decision_kinds[kind]
    assert not poll.binding
    assert not poll.secret
    assert poll.scope == "platform"
    assert may_vote(RED, kind, PLATFORM, TODAY)
    assert not may_vote(RED, kind, ANONYMOUS, TODAY)


@pytest.mark.parametrize("kind", BINDING_KINDS)
def test_binding_votes_and_office_votes_are_secret(kind):
    """Art. 9.2–9.5, art. 10.4, VOTE-5: referendums, amendments and office votes are secret."""
    assert RED.decision_kinds[kind].binding
    assert RED.decision_kinds[kind].secret


@pytest.mark.parametrize("kind", ["referendum", "proposal", "amendment", "office_referendum"])
def test_referendums_are_for_the_citizens_of_the_assembly_only(kind):
    """Art. 9.2, 9.3, 9.5, art. 10.4: "ámbito interno (ciudadanos)"."""
    assert RED.decision_kinds[kind].scope == "assembly"
    assert may_vote(RED, kind, CITIZEN, TODAY)
    for outsider in (PLATFORM, PARTICIPANT):
        refused = may_vote(RED, kind, outsider, TODAY)
        assert [r.code for r in refused.reasons] == ["not_in_electorate"]


def test_a_platform_citizen_refused_a_referendum_is_told_in_spanish_which_vote():
    """Art. 9.2, UI-1: the refusal names the kind of vote in the reader's language."""
    (reason,) = may_vote(RED, "referendum", PLATFORM, TODAY).reasons
    assert "Referéndum" in reason.render(None, "es")


def test_an_internal_vote_is_for_the_holders_of_the_office():
    """Art. 9.4: proposed by an office for its own internal working."""
    assert may_vote(RED, "internal", COORDINATOR, TODAY)
    assert may_propose(RED, "internal", COORDINATOR, TODAY)
    refused = may_vote(RED, "internal", CITIZEN, TODAY)
    assert not refused
    assert "Coordinadores" in refused.reasons[0].render(None, "es")


def test_an_internal_vote_lasts_no_more_than_5_days():
    """Art. 7.1 ("votación interna con una duración de no más allá de los 5 días"), art. 10.3."""
    voting = RED.decision_kinds["internal"].voting
    assert (voting.min_days, voting.max_days) == (3, 5)


def test_a_megapoll_has_several_questions_and_is_launched_at_once_for_up_to_15_days():
    """Art. 9.1 [MegaSondeo], art. 10 PLAZOS, VOTE-4."""
    megapoll = RED.decision_kinds["megapoll"]
    assert megapoll.multi_question
    assert megapoll.launch_at_once
    assert megapoll.debate is None
    assert megapoll.supports == []
    assert megapoll.voting.max_days == 15


@pytest.mark.parametrize("kind", ["citizen", "coordinator"])
def test_citizens_propose_votes_and_participants_do_not(kind):
    """Art. 10: "Crear un hilo en el foro votaciones" — citizens open threads there."""
    for key in ("poll", "referendum", "proposal", "amendment", "design", "weekly_poll"):
        assert may_propose(RED, key, VIEWERS[kind], TODAY)
        assert not may_propose(RED, key, PARTICIPANT, TODAY)


@pytest.mark.parametrize(
    "kind", ["poll", "referendum", "proposal", "amendment", "weekly_poll", "office_referendum"]
)
def test_a_proposal_is_supported_by_three_coordinators(kind):
    """Art. 10, VOTE-3, FOR-4: "3 aprobaciones de Coordinación ... Mi +1 como Coordinador"."""
    assert RED.decision_kinds[kind].supports == [Support(office="coordinator", count=3)]


def test_a_design_goes_to_a_vote_with_one_designer_and_three_coordinators_after_24_hours():
    """Art. 7.3, art. 2 DISEÑO, OFF-2; art. 10: designs do not go through Drafting."""
    design = RED.decision_kinds["design"]
    assert design.supports == [
        Support(office="designer", count=1),
        Support(office="coordinator", count=3),
    ]
    assert design.launch_delay_hours == 24
    assert design.drafting is None


def test_referendums_debate_7_days_or_until_3_coordinators_support_and_vote_7_days_urgent_5():
    """Art. 10 PLAZOS, VOTE-4 (deadline arithmetic: tests/governance/test_schedule.py)."""
    referendum = RED.decision_kinds["referendum"]
    assert referendum.debate is not None
    assert (referendum.debate.days, referendum.debate.ends_early_with_support) == (7, True)
    assert referendum.voting.default_days == 7
    assert referendum.urgent is not None
    assert referendum.urgent.voting_days == 5


def test_polls_debate_5_days_or_until_3_coordinators_support_and_vote_7_to_12_days_urgent_half():
    """Art. 10 PLAZOS, VOTE-4."""
    poll = RED.decision_kinds["poll"]
    assert poll.debate is not None
    assert (poll.debate.days, poll.debate.ends_early_with_support) == (5, True)
    assert (poll.voting.min_days, poll.voting.default_days, poll.voting.max_days) == (7, 7, 12)
    assert poll.urgent is not None
    assert poll.urgent.voting_factor == 0.5


@pytest.mark.parametrize("kind", AS_REFERENDUM)
def test_amendments_and_proposals_follow_the_deadlines_of_referendums(kind):
    """Art. 10 PLAZOS: "ENMIENDAS y PROPUESTAS: Similar a los Referendums"."""
    referendum = RED.decision_kinds["referendum"]
    other = RED.decision_kinds[kind]
    for field in ("debate", "supports", "drafting", "voting", "urgent", "voters", "secret"):
        assert getattr(other, field) == getattr(referendum, field), field


def test_texts_go_through_drafting_except_designs_and_simple_question_polls():
    """Art. 10, art. 7.2, VOTE-3: one drafter's approval makes a text valid."""
    for key in ("referendum", "proposal", "amendment", "office_referendum"):
        drafting = RED.decision_kinds[key].drafting
        assert drafting is not None
        assert (drafting.office, drafting.approvals) == ("drafter", 1)
        assert not drafting.not_for_simple_questions
    poll_drafting = RED.decision_kinds["poll"].drafting
    assert poll_drafting is not None
    assert poll_drafting.not_for_simple_questions
    assert RED.decision_kinds["design"].drafting is None


def test_coordinators_launch_every_vote_and_nobody_else_does():
    """Art. 10 PROCEDIMIENTO: "siendo el Coordinador el que las lance"; art. 7.1."""
    for kind in RED.decision_kinds.values():
        assert in_audience(kind.launched_by, COORDINATOR, TODAY)
        assert not in_audience(kind.launched_by, DRAFTER, TODAY)
        assert not in_audience(kind.launched_by, CITIZEN, TODAY)
    assert has_power(RED, COORDINATOR, "launch_votes")


def test_no_vote_lasts_less_than_3_days_and_options_are_shown_in_random_order():
    """Art. 10.3 "ninguna votación podrá ser inferior a 3 días"; art. 10.4 "Orden aleatorio"."""
    for kind in RED.decision_kinds.values():
        assert kind.min_days_unless_urgent == 3
        assert kind.voting.min_days >= 3
        assert kind.random_order


@pytest.mark.parametrize("kind", ["poll", "referendum", "proposal", "amendment"])
def test_urgent_votes_are_for_events_within_72_hours_lasting_72_to_120(kind):
    """Art. 11, VOTE-6: nothing known less than 48 hours ahead is in scope."""
    urgent = RED.decision_kinds[kind].urgent
    assert urgent is not None
    assert (urgent.event_within_hours, urgent.min_hours, urgent.max_hours) == (72, 72, 120)
    assert urgent.out_of_scope_hours == 48


def test_weekly_polls_follow_the_poll_procedure_and_last_7_days():
    """Art. 12, VOTE-7."""
    weekly = RED.decision_kinds["weekly_poll"]
    poll = RED.decision_kinds["poll"]
    assert weekly.weekly
    assert (weekly.voting.min_days, weekly.voting.max_days) == (7, 7)
    for field in ("binding", "voters", "scope", "secret", "debate", "supports", "launched_by"):
        assert getattr(weekly, field) == getattr(poll, field), field


@pytest.mark.parametrize("kind", list(RED.decision_kinds))
def test_a_vote_with_half_plus_one_null_answers_is_void_referendums_included(kind):
    """Art. 13, VOTE-8."""
    validity = RED.decision_kinds[kind].validity
    assert validity.ask_validity
    assert validity.void_when_null_share_over == 0.5


@pytest.mark.parametrize("kind", list(RED.decision_kinds))
def test_a_vote_is_carried_over_60_percent_or_85_with_more_options_blank_not_counted(kind):
    """Art. 14, VOTE-9."""
    validity = RED.decision_kinds[kind].validity
    assert (validity.threshold_two_options, validity.threshold_more_options) == (0.60, 0.85)
    assert not validity.blank_counts


# --- RED15M chapter 4: sanctions (arts. 16–20, SAN-1..5) -------------------------------------


def test_coordinators_correct_behaviour_with_the_scale_of_the_protocol():
    """Arts. 16–17: coordination imposes sanctions and decides if they become indefinite."""
    assert RED.sanctions is not None
    assert RED.sanctions.imposed_by == "coordinator"
    assert RED.offices[RED.sanctions.imposed_by].powers.count("sanction") == 1


def test_the_scale_is_minor_24_hours_serious_3_days_very_serious_6_days():
    """Art. 18.1–18.3, SAN-2."""
    assert RED.sanctions is not None
    levels = RED.sanctions.levels
    assert {k: (level.name.get("es"), level.hours) for k, level in levels.items()} == {
        "minor": ("Leve", 24),
        "serious": ("Grave", 72),
        "very_serious": ("Muy grave", 144),
    }


@pytest.mark.parametrize(
    ("level", "offence_en", "offence_es", "count"),
    [
        ("minor", "spam or proselytism", "spam o proselitismo", 6),
        ("serious", "glorifying terrorism", "exaltación del terrorismo", 9),
        ("very_serious", "xenophobia", "xenofobia", 8),
    ],
)
def test_each_level_lists_its_offences_in_english_and_spanish(level, offence_en, offence_es, count):
    """Art. 18.1–18.3, SAN-2: the offences of each level, as the protocol lists them."""
    assert RED.sanctions is not None
    offences = RED.sanctions.levels[level].offences
    assert len(offences) == count
    assert offence_en in [o.en for o in offences]
    assert offence_es in [o.es for o in offences]
    assert all(o.es for o in offences)


def test_repeats_are_decided_in_public_first_then_always_double():
    """Art. 18.4–18.5, SAN-3 (arithmetic: tests/governance/test_sanctions.py)."""
    assert RED.sanctions is not None
    assert RED.sanctions.first_repeat_public_decision
    assert RED.sanctions.repeat_multiplier == 2


def test_three_repeats_make_a_person_non_grata_sanctioned_9_days_at_every_appearance():
    """Art. 18.6, SAN-3."""
    assert RED.sanctions is not None
    assert RED.sanctions.non_grata_after_repeats == 3
    assert RED.sanctions.non_grata_hours == 9 * 24


def test_sanctions_except_minor_ones_need_two_other_coordinators_within_48_hours():
    """Art. 19, SAN-4."""
    sanctions = RED.sanctions
    assert sanctions is not None
    assert (sanctions.endorsements, sanctions.endorsement_window_hours) == (2, 48)
    needs = {key: level.needs_endorsement for key, level in sanctions.levels.items()}
    assert needs == {"minor": False, "serious": True, "very_serious": True}


def test_a_coordinator_unbacked_for_an_undescribed_sanction_earns_half_of_it():
    """Art. 20, SAN-5."""
    assert RED.sanctions is not None
    assert RED.sanctions.off_protocol_bounce == 0.5


# --- Harmony: fractal democracy (VOTE-1, VOTE-12, ASM-4, MEM-1) ------------------------------


def test_harmony_runs_on_london_time_with_one_secretary_elected_by_star():
    """ASM-4, OFF-4: every assembly has a secretary; Harmony elects by STAR."""
    assert HARMONY.timezone == "Europe/London"
    secretary = HARMONY.offices["secretary"]
    assert list(HARMONY.offices) == ["secretary"]
    assert (secretary.seats, secretary.voting_method, secretary.term_days) == (1, "star", 365)
    assert secretary.election is not None
    assert secretary.election.every_days in (364, 365)
    assert secretary.election.anchor.weekday() == secretary.election.opens_on.number


def test_anyone_taking_part_may_stand_for_secretary():
    """OFF-3: "Anyone can run to be a Secretary"."""
    assert may_stand(HARMONY, "secretary", PARTICIPANT, TODAY)
    assert not may_stand(HARMONY, "secretary", PLATFORM, TODAY)
    assert HARMONY.offices["secretary"].stand_any_time_for_vacancy


def test_only_members_vote_for_the_secretary():
    """MEM-1: "only members can vote"."""
    assert may_vote_in_election(HARMONY, "secretary", CITIZEN, TODAY)
    assert not may_vote_in_election(HARMONY, "secretary", PARTICIPANT, TODAY)


def test_harmony_participants_discuss_and_propose_but_only_members_vote():
    """MEM-1: "Anyone can participate ... But only members can vote"."""
    for forum in ("proposals", "discussion"):
        assert may_open_thread(HARMONY, forum, PARTICIPANT, TODAY)
        assert may_reply(HARMONY, forum, PARTICIPANT, TODAY)
        assert may_read(HARMONY, forum, ANONYMOUS, TODAY)
        assert not may_open_thread(HARMONY, forum, PLATFORM, TODAY)
    for kind in HARMONY.decision_kinds:
        assert may_vote(HARMONY, kind, CITIZEN, TODAY)
        refused = may_vote(HARMONY, kind, PARTICIPANT, TODAY)
        assert [r.code for r in refused.reasons] == ["not_in_electorate"]
    assert may_propose(HARMONY, "consensus_proposal", PARTICIPANT, TODAY)


def test_harmony_announcements_come_from_the_secretary():
    """ASM-4: the secretary speaks for the assembly."""
    assert may_open_thread(HARMONY, "announcements", SECRETARY, TODAY)
    assert not may_reply(HARMONY, "announcements", CITIZEN, TODAY)


def test_harmony_seeks_consensus_twice_then_votes_by_star():
    """VOTE-1: "seek consensus first, and if you can't, try harder, and if you still can't...
    vote!" with a STAR ballot."""
    kind = HARMONY.decision_kinds["consensus_proposal"]
    assert kind.method == "consensus"
    assert kind.consensus is not None
    assert (kind.consensus.rounds, kind.consensus.fallback_method) == (2, "star")
    assert kind.secret
    assert kind.proposers.any_of == ["participant"]
    assert kind.voters.any_of == ["citizen"]


def test_harmony_votes_by_star_and_fills_several_seats_by_bloc_star():
    """VOTE-12, OFF-4."""
    assert HARMONY.decision_kinds["star_vote"].method == "star"
    assert HARMONY.decision_kinds["bloc_star"].method == "bloc_star"
    assert all(kind.secret for kind in HARMONY.decision_kinds.values())


def test_harmony_amends_its_protocol_by_consensus():
    """PRO-2, VOTE-1: amending the protocol is itself a consensus decision."""
    for rule in (HARMONY.amendments.total, HARMONY.amendments.partial):
        assert rule.decision_kind == "consensus_proposal"
        assert rule.vote == "consensus"
        assert rule.office_approval is None
    assert HARMONY.sanctions is None


# --- the default preset (PRO-4) ---------------------------------------------------------------


def test_the_default_preset_has_a_secretary_announcements_and_discussion():
    """PRO-4, ASM-4: a small start for a new assembly."""
    assert list(DEFAULT.offices) == ["secretary"]
    assert DEFAULT.offices["secretary"].seats == 1
    assert list(DEFAULT.forums) == ["announcements", "discussion"]
    assert may_open_thread(DEFAULT, "discussion", PARTICIPANT, TODAY)
    assert not may_open_thread(DEFAULT, "announcements", CITIZEN, TODAY)
    assert may_open_thread(DEFAULT, "announcements", SECRETARY, TODAY)


def test_the_default_preset_decides_by_simple_majority_in_7_days_and_amends_the_same_way():
    """PRO-2, VOTE-9: one binding secret vote, carried by more than half."""
    (key,) = DEFAULT.decision_kinds
    vote = DEFAULT.decision_kinds[key]
    assert vote.binding
    assert vote.secret
    assert vote.voting.default_days == 7
    assert vote.validity.threshold_two_options == 0.5
    assert may_vote(DEFAULT, key, CITIZEN, TODAY)
    assert not may_vote(DEFAULT, key, PARTICIPANT, TODAY)
    for rule in (DEFAULT.amendments.total, DEFAULT.amendments.partial):
        assert (rule.decision_kind, rule.vote) == (key, "simple_majority")


# --- the RED15M preset driven through the engine ---------------------------------------------
# The arithmetic itself is proved in test_schedule.py, test_sanctions.py, test_amendment.py;
# these check that the preset's numbers reach it as the articles say.


def test_the_next_coordinator_election_opens_monday_00_00_madrid_and_closes_wednesday():
    """Art. 7.1, OFF-2: "elecciones de 48 horas de Lunes a Miércoles"."""
    calendar = RED.offices["coordinator"].election
    assert calendar is not None
    window = election_window(calendar, RED.timezone, datetime(2026, 3, 4, 12, tzinfo=UTC))
    madrid = ZoneInfo(RED.timezone)
    opens, closes = window.opens_at.astimezone(madrid), window.closes_at.astimezone(madrid)
    assert (opens.strftime("%A"), opens.time()) == ("Monday", time(0, 0))
    assert (closes.strftime("%A"), closes.time()) == ("Wednesday", time(0, 0))


def test_the_next_drafter_election_runs_thursday_to_saturday_at_20_00_madrid():
    """Art. 7.2, OFF-2: "desde Jueves a Sábado a las 20:00 horas"."""
    calendar = RED.offices["drafter"].election
    assert calendar is not None
    window = election_window(calendar, RED.timezone, datetime(2026, 3, 4, 12, tzinfo=UTC))
    madrid = ZoneInfo(RED.timezone)
    opens, closes = window.opens_at.astimezone(madrid), window.closes_at.astimezone(madrid)
    assert (opens.strftime("%A"), opens.time()) == ("Thursday", time(20, 0))
    assert (closes.strftime("%A"), closes.time()) == ("Saturday", time(20, 0))


def test_a_total_amendment_carries_with_3_of_5_coordinators_and_half_plus_one_of_voters():
    """Preamble, PRO-2."""
    assert amendment_carried(RED, "total", AmendmentTally(office_approvals=3, yes=51, no=49))
    refused = amendment_carried(RED, "total", AmendmentTally(office_approvals=2, yes=51, no=49))
    assert [r.code for r in refused.reasons] == ["amendment_office_approval"]
    assert "Coordinadores" in refused.reasons[0].render(None, "es")
    tied = amendment_carried(RED, "total", AmendmentTally(office_approvals=5, yes=50, no=50))
    assert [r.code for r in tied.reasons] == ["amendment_half_plus_one"]


def test_a_partial_amendment_carries_with_3_coordinators_and_more_for_than_against():
    """Preamble, PRO-2: "mayoría simple más 3 Coordinadores"."""
    assert amendment_carried(RED, "partial", AmendmentTally(office_approvals=3, yes=5, no=4))
    refused = amendment_carried(RED, "partial", AmendmentTally(office_approvals=2, yes=4, no=4))
    assert [r.code for r in refused.reasons] == [
        "amendment_office_approval",
        "amendment_simple_majority",
    ]


@pytest.mark.parametrize(
    ("level", "days", "endorsed"),
    [("minor", 1, False), ("serious", 3, True), ("very_serious", 6, True)],
)
def test_a_first_offence_earns_the_days_of_its_level_from_the_preset(level, days, endorsed):
    """Art. 18.1–18.3, art. 19, SAN-2, SAN-4."""
    assert RED.sanctions is not None
    decision = sanction_for(RED.sanctions, level, 0)
    assert decision.duration == timedelta(days=days)
    assert decision.needs_endorsement is endorsed
    assert not decision.non_grata


def test_a_persona_non_grata_earns_9_days_at_every_appearance_under_the_preset():
    """Art. 18.6, SAN-3."""
    assert RED.sanctions is not None
    assert non_grata_appearance(RED.sanctions) == timedelta(days=9)
    assert sanction_for(RED.sanctions, "minor", 3).non_grata


def test_harmony_amendments_carry_only_by_consensus():
    """PRO-2, VOTE-1."""
    assert amendment_carried(HARMONY, "total", AmendmentTally(consensus=True))
    refused = amendment_carried(HARMONY, "total", AmendmentTally(yes=99, no=1))
    assert [r.code for r in refused.reasons] == ["amendment_no_consensus"]


def test_a_sanctioned_citizen_can_neither_vote_nor_propose_nor_stand():
    """SAN-6: a sanctioned person cannot vote or stand until it expires."""
    from datetime import UTC, date, datetime

    from folkmoot.governance.audience import (
        Viewer,
        may_propose,
        may_stand,
        may_vote,
        may_vote_in_election,
    )

    red = load_preset("red15m")
    viewer = Viewer(
        authenticated=True,
        status="member",
        seniority_days=365,
        sanctioned_until=datetime(2099, 1, 1, tzinfo=UTC),
        sanction_reason="Spam",
    )
    today = date(2026, 11, 22)
    for answer in (
        may_vote(red, "referendum", viewer, today),
        may_propose(red, "referendum", viewer, today),
        may_stand(red, "coordinator", viewer, today),
        may_vote_in_election(red, "coordinator", viewer, today),
    ):
        assert [r.code for r in answer.reasons] == ["sanctioned"]
