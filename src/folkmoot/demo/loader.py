"""The demo federation (issue 2, item 8): Harmony Party UK and the RED15M assembly, with a
few people whose passwords are printed by `make run`. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import (
    AccessMode,
    Assembly,
    AssemblyType,
    JoinRequest,
    Membership,
)
from folkmoot.forums.actions import do_open_thread, do_react, do_reply
from folkmoot.forums.models import Thread
from folkmoot.governance.membership import JoinPolicy, Status
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_preset

DEMO_PASSWORD = "moot-demo-2026"

OWG_DESCRIPTION = """This umbrella assembly is responsible broadly for constitutional matters, for maintenance of the party's information technology infrastructure, and for operational support relating to these things.

In more detail, the Operational Working Group maintains the constitution by editing it in line with changes of practice within the federation of assemblies.

It also provides support to other assemblies relating to the constitution, and is responsible for monitoring consensus along with the Secretarial Committee.

The assembly is also broadly responsible for maintaining digital infrastructure except where that remit intersects with those of the Presentation of Policy member assemblies (such as the Media Working Group).

The assembly is also tasked with development of processes to the benefit of other assemblies - this includes observation of development of new processes in other assemblies and facilitating their use in different ones.

All IT-related assemblies are members of this assembly. For example, the Harmony Rec, our online community centre on Discord, while autonomous, is nonetheless a member of the Operational Working Group.

All Party participants are automatically considered members of this assembly."""

# Seed 002's table: the operational assemblies, their remits and whether the secretary is elected.
OPERATIONAL = [
    (
        "committee-for-resolutions",
        "The Committee for Resolutions",
        "discipline, rules, regulations",
        False,
    ),
    (
        "operational-working-group",
        "The Operational Working Group",
        "rules, regulations, processes, communications, supporting the executive work of the Secretarial Committee",
        True,
    ),
    (
        "financial-working-group",
        "The Financial Working Group",
        "Party financial oversight; accounts; Treasurer oversight & logistical support",
        False,
    ),
    (
        "foundational-committee",
        "The Foundational Committee",
        "supporting the formation of new Assemblies & evaluating where new Assemblies may be advantageous for the Party",
        False,
    ),
    (
        "society-for-presentation-of-policy",
        "The Society for Presentation of Policy",
        'deciding strategy & "marketing" for policy',
        False,
    ),
    (
        "media-working-group",
        "The Media Working Group",
        "creating media for internal & external usages; determining tactics for media operations; press relations",
        False,
    ),
    (
        "research-working-group",
        "The Research Working Group",
        "data collection & collation of all kinds for other Assemblies and the Party",
        False,
    ),
    (
        "society-for-constructive-activism",
        "The Society for Constructive Activism",
        "syndicalism, education, mutual aid, protest, petitions etc",
        False,
    ),
    (
        "policy-societies-committee",
        "The Policy Societies Committee",
        "coordination & support of the Policy Societies (which should also be considered core assemblies, but are too numerous to include!)",
        False,
    ),
    (
        "constituency-societies-committee",
        "The Constituency Societies Committee",
        "presenting the geographic concerns of the Party; coordination of the Constituency Societies collectively",
        False,
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str
    birth_date: date | None = None
    attributes: tuple[str, ...] = ()
    staff: bool = False


PEOPLE = [
    DemoPerson(
        "admin@folkmoot.example", "Ada Admin", "staff (Django admin at /admin/)", staff=True
    ),
    DemoPerson(
        "grace@folkmoot.example",
        "Grace Okafor",
        "general secretary of Harmony Party UK, secretary of the Foundational Committee",
        date(1979, 4, 2),
    ),
    DemoPerson(
        "david@folkmoot.example",
        "David Hollas",
        "elected secretary of the Operational Working Group",
        date(1985, 11, 20),
    ),
    DemoPerson(
        "alice@folkmoot.example",
        "Alice Moreno",
        "member of Harmony (votes), Manchester Central",
        date(1990, 6, 15),
    ),
    DemoPerson(
        "bob@folkmoot.example",
        "Bob Tanaka",
        "participant of Harmony (does not vote), waiting to join Manchester Central",
        date(1968, 1, 30),
    ),
    DemoPerson(
        "carol@folkmoot.example",
        "Carol Dubois",
        "member, Youth Assembly (aged 18–30)",
        date(2003, 9, 9),
    ),
    DemoPerson(
        "dan@folkmoot.example",
        "Dan Reyes",
        "member, Disability Activism Society (declared attribute)",
        date(1975, 3, 3),
        ("disabled",),
    ),
    DemoPerson(
        "erin@folkmoot.example",
        "Erin Castillo",
        "citizen and coordinator of the RED15M assembly",
        date(1995, 5, 25),
    ),
    DemoPerson("frank@folkmoot.example", "Frank Outsider", "signed up, belongs to nothing yet"),
]


def _at(year: int, month: int, day: int = 1) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def _assembly(slug: str, admin: User, **fields: Any) -> Assembly:
    existing = Assembly.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return actions.do_save_assembly(assembly=Assembly(slug=slug, **fields), actor=admin)


def _person(spec: DemoPerson) -> User:
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        user = User.objects.create_user(
            spec.email,
            DEMO_PASSWORD,
            display_name=spec.name,
            birth_date=spec.birth_date,
            attributes=list(spec.attributes),
            attributes_consented_at=timezone.now() if spec.attributes else None,
            is_staff=spec.staff,
            is_superuser=spec.staff,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=spec.email, defaults={"verified": True, "primary": True}
    )
    return user


def _join(
    user: User, assembly: Assembly, *, status: Status | None = None, since: datetime | None = None
) -> None:
    if Membership.objects.active().filter(user=user, assembly=assembly).exists():
        return
    membership = actions.do_join(user=user, assembly=assembly, actor=user)
    changes: dict[str, Any] = {}
    if status is not None and status != membership.status:
        changes["status"] = status
    if since is not None:
        changes["started_at"] = since
    if changes:
        Membership.objects.filter(pk=membership.pk).update(**changes)


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    people = {p.email.split("@")[0]: _person(p) for p in PEOPLE}
    admin = people["admin"]

    # Creation order gives the Operational Working Group id 4 on a fresh database, so its
    # reference reads HPUK-ASSE-2025-09-4 as on Harmony's own site (seed 000).
    hpuk = _assembly(
        "harmony-party-uk",
        admin,
        title="Harmony Party UK",
        subtitle="A federation of assemblies",
        short_description="Anyone can participate in our assemblies, whether a member of the party or not. But only members can vote.",
        description="Harmony is a federation of autonomous assemblies. Together they form the party: all parts of a thing resemble the whole.",
        purpose_of_action="Bring people together to turn ideas into action — by mutual aid, activism, or organising to win elections.",
        composition="Everyone who joins Harmony is a participant; paying members of the party also vote.",
        internal_organisation="Assemblies seek consensus first; if they cannot, they try harder; if they still cannot, they vote with a STAR ballot. The general secretaries serve the whole federation.",
        assembly_type=AssemblyType.FEDERATION,
        reference_prefix="HPUK",
        country="GB",
        created_at=_at(2025, 6),
        secretary_elected=True,
    )
    red15m = _assembly(
        "red15m",
        admin,
        title="Asamblea RED15M",
        subtitle="Protocolo 2.0",
        short_description="An open assembly of the platform's citizens, run under the RED15M protocol.",
        description="The RED15M assembly gathers every citizen of the platform who joins it. Forums with per-role permissions, elected coordinators, drafters and designers, five kinds of vote and a scale of sanctions are set out in its protocol.",
        purpose_of_action="Debate, draft and decide in the open, with every rule written down and enforced.",
        composition="All citizens of the platform may join; every one of them is a citizen of the assembly.",
        assembly_type=AssemblyType.FEDERATION,
        reference_prefix="RED15M",
        country="ES",
        created_at=_at(2025, 7),
        newcomer_status=Status.MEMBER,
        secretary_elected=True,
    )
    operational: dict[str, Assembly] = {}
    for slug, title, remits, elected in OPERATIONAL:
        extra: dict[str, Any] = {}
        if slug == "operational-working-group":
            extra = dict(
                subtitle="Helping Harmony work (and play!)",
                description=OWG_DESCRIPTION,
                purpose_of_action="This assembly maintains the constitution, records consensus, is responsible for information technology in the Party, and develops processes which benefit other assemblies.",
                composition="All Harmony participants are automatically a member of this assembly.",
                join_policy=JoinPolicy.AUTOMATIC,
                created_at=_at(2025, 9, 14),
            )
        operational[slug] = _assembly(
            slug,
            admin,
            **{
                "title": title,
                "remits": remits,
                "assembly_type": AssemblyType.OPERATIONAL,
                "parent": hpuk,
                "secretary_elected": elected,
                "created_at": _at(2025, 9),
                **extra,
            },
        )
    owg = operational["operational-working-group"]
    rec = _assembly(
        "harmony-rec",
        admin,
        title="The Harmony Rec",
        subtitle="Our online community centre on Discord",
        description="Autonomous, and nonetheless a member of the Operational Working Group, like every IT-related assembly.",
        assembly_type=AssemblyType.OPERATIONAL,
        parent=hpuk,
        created_at=_at(2025, 10),
    )
    actions.do_add_to_umbrella(member=rec, umbrella=owg, actor=admin)

    region = _assembly(
        "north-west-england",
        admin,
        title="North West England",
        subtitle="Regional assembly",
        remits="Selection and consensus for anything affecting the region",
        assembly_type=AssemblyType.REGION,
        parent=hpuk,
        created_at=_at(2025, 10),
    )
    city = _assembly(
        "manchester",
        admin,
        title="Manchester",
        subtitle="City assembly",
        assembly_type=AssemblyType.CITY,
        parent=region,
        created_at=_at(2025, 10),
    )
    constituency = _assembly(
        "manchester-central",
        admin,
        title="Manchester Central",
        subtitle="Constituency society",
        short_description="The secretary welcomes newcomers: ask to join and say a word about yourself.",
        assembly_type=AssemblyType.CONSTITUENCY,
        parent=city,
        join_policy=JoinPolicy.APPROVAL,
        created_at=_at(2025, 11),
    )
    _assembly(
        "manchester-withington",
        admin,
        title="Manchester Withington",
        subtitle="Constituency society",
        assembly_type=AssemblyType.CONSTITUENCY,
        parent=city,
        created_at=_at(2025, 11),
    )
    youth = _assembly(
        "youth-assembly",
        admin,
        title="Youth Assembly",
        subtitle="For 18–30 year olds",
        description="The youth assembly of Harmony, for people aged 18 to 30 (because it's the youth assembly!).",
        assembly_type=AssemblyType.YOUTH,
        parent=hpuk,
        min_age=18,
        max_age=30,
        created_at=_at(2025, 11),
    )
    disability = _assembly(
        "disability-activism-society",
        admin,
        title="Disability Activism Society",
        subtitle="By and for disabled people",
        assembly_type=AssemblyType.COMMUNITY,
        parent=hpuk,
        required_attribute="disabled",
        created_at=_at(2025, 11),
    )
    _assembly(
        "disability-allies",
        admin,
        title="Disability Allies",
        subtitle="Supporters of the Disability Activism Society",
        description="For people who support disabled people's activism without belonging to that community. They take part; the protocol decides what they vote on.",
        assembly_type=AssemblyType.ALLIED,
        parent=hpuk,
        created_at=_at(2025, 12),
    )
    _assembly(
        "climate-policy-society",
        admin,
        title="Climate Policy Society",
        subtitle="Policy society",
        assembly_type=AssemblyType.POLICY_SOCIETY,
        parent=operational["policy-societies-committee"],
        created_at=_at(2025, 12),
    )
    _assembly(
        "secretarial-committee",
        admin,
        title="Secretarial Committee",
        subtitle="The general secretaries at work",
        assembly_type=AssemblyType.OPERATIONAL,
        parent=hpuk,
        access_mode=AccessMode.TRANSPARENT,
        join_policy=JoinPolicy.APPROVAL,
        created_at=_at(2025, 9),
    )

    # The federations run the shipped presets; every assembly below inherits its root's.
    for root, preset in ((hpuk, "harmony"), (red15m, "red15m")):
        if not root.protocol_versions.exists():
            do_adopt_preset(assembly=root, preset=preset, actor=admin, note="Demo federation")
    do_appoint(
        assembly=red15m, office_slug="coordinator", holder=people["erin"], actor=admin, seats=5
    )

    actions.do_appoint_secretary(assembly=hpuk, holder=people["grace"], actor=admin)
    actions.do_appoint_secretary(assembly=owg, holder=people["david"], actor=admin)
    actions.do_appoint_secretary(
        assembly=operational["foundational-committee"], holder=people["grace"], actor=admin
    )
    actions.do_appoint_secretary(assembly=constituency, holder=people["alice"], actor=admin)

    for name in ("grace", "david", "alice", "carol", "dan"):
        _join(people[name], hpuk, status=Status.MEMBER, since=_at(2025, 9))
    _join(people["bob"], hpuk, since=_at(2026, 2))
    _join(people["alice"], region)
    _join(people["alice"], city)
    _join(people["alice"], constituency)
    _join(people["carol"], youth)
    _join(people["dan"], disability)
    _join(people["erin"], red15m, since=_at(2026, 1))
    _join(people["alice"], red15m, since=_at(2026, 3))
    _forum_threads(people, hpuk, red15m)
    _decisions(people, hpuk, red15m)
    _referral(people, hpuk, youth)
    if not JoinRequest.objects.filter(user=people["bob"], assembly=constituency).exists():
        actions.do_request_join(
            user=people["bob"],
            assembly=constituency,
            message="I live in the city centre and would like to help with the next selection.",
        )
    _founding(people["alice"], region)
    _pages(hpuk, red15m, people["grace"])
    _moot(people, hpuk)
    _tell(timezone.now())
    return PEOPLE


ABOUT_SUMMARY = (
    "Harmony Party UK is several things at once: a mutual aid federation, a set of political "
    "assemblies and an activist network. Every part decides the same way, by consensus."
)
ABOUT_BODY = """Each assembly can speak for the whole party on what it knows best: a community,
a place, or a remit such as finance or media. That is why every assembly has a secretary and
the party has general secretaries, and why the party as a whole runs by consensus.

We call this **fractal democracy**: the same inclusion at every scale, so that nothing about
you is decided without you, if you want a say. It scales because it keeps signal above
noise: disability policy, for instance, is worked out by the Disability Activism Society,
whose members live with disability themselves.

Read about the kinds of assemblies in the help pages."""
PRIVACY_BODY = """Harmony Party UK keeps what you give it to take part: your email address,
your name, and, if you give them, your birth date (for age rules such as the Youth
Assembly's) and the community attributes you declare (only with your consent).

Political opinions and disability are special-category data under UK law. We use them only
to run the assemblies you join; we never sell or share them. You may download all your data,
or delete your account, from your profile at any time: what you wrote stays, signed by "a
former member", and your secret ballots were never linked to you."""


def _pages(hpuk: Assembly, red15m: Assembly, grace: Any) -> None:
    """A federation's own pages (issue 13): what Harmony is, and its privacy notice."""
    from folkmoot.federation.models import FederationPage

    if FederationPage.objects.exists():
        return
    FederationPage.objects.create(
        federation=hpuk,
        slug="about",
        title="What is Harmony Party UK?",
        summary=ABOUT_SUMMARY,
        body=ABOUT_BODY,
        updated_by=grace,
        translations={
            "es": {
                "title": "¿Qué es Harmony Party UK?",
                "summary": "Harmony Party UK es varias cosas a la vez: una federación de "
                "ayuda mutua, un conjunto de asambleas políticas y una red activista. Todas "
                "sus partes deciden del mismo modo, por consenso.",
            }
        },
    )
    FederationPage.objects.create(
        federation=hpuk,
        slug="privacy",
        title="Privacy notice",
        body=PRIVACY_BODY,
        updated_by=grace,
    )
    FederationPage.objects.create(
        federation=red15m,
        slug="privacy",
        language="es",
        title="Aviso de privacidad",
        body="La Asamblea RED15M guarda tu correo, tu nombre y lo que escribes para que "
        "puedas participar. Puedes descargar tus datos o borrar tu cuenta desde tu perfil.",
    )


def _founding(proposer: Any, region: Assembly) -> None:
    """A new city waiting for the Foundational Committee (issue 13): Grace finds it on her
    home page."""
    from folkmoot.federation.founding import check_propose_assembly, founding_context
    from folkmoot.federation.models import FoundingRequest

    if FoundingRequest.objects.exists():
        return
    check_propose_assembly(
        proposer,
        founding_context(region),
        {
            "title": "Salford",
            "slug": "salford",
            "subtitle": "City assembly",
            "short_description": "For members and friends of Harmony in Salford.",
            "description": "Salford has enough members to meet on its own; until now they have "
            "met with Manchester.",
            "assembly_type": "city",
            "access_mode": "open",
            "join_policy": "open",
            "secretary_elected": True,
        },
    )


def _moot(people: dict[str, Any], hpuk: Assembly) -> None:
    """A moot of the party in ten days (issue 14): Grace calls and facilitates it, David takes
    the minutes, the open consensus proposal is on its agenda, and a point Alice suggested
    waits for Grace; Alice is coming in person."""
    from folkmoot.decisions.models import Proposal
    from folkmoot.moots import actions as moots
    from folkmoot.moots import agenda
    from folkmoot.moots.models import Moot

    if Moot.objects.exists():
        return
    grace, alice = people["grace"], people["alice"]
    day = timezone.localtime() + timedelta(days=10)
    starts = day.replace(hour=18, minute=30, second=0, microsecond=0)
    moot = moots.check_call_moot(
        grace,
        moots.moot_context(grace, hpuk),
        fields={
            "title": "Autumn assembly of the party",
            "purpose": "Settle the open proposals together, and plan the winter.",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "place": "Friends Meeting House, Manchester",
            "online_link": "https://meet.jit.si/harmony-autumn-assembly",
            "capacity": 40,
            "facilitator": grace,
            "minute_taker": people["david"],
            "repeats": "monthly",
        },
    )
    ctx = moots.moot_context(grace, hpuk)
    proposal = Proposal.objects.filter(assembly=hpuk, kind="consensus_proposal").first()
    if proposal is not None:
        agenda.check_add_point(grace, ctx, moot, title="", minutes=40, proposal=proposal)
    agenda.check_add_point(grace, ctx, moot, title="Winter plans", minutes=30)
    moots.check_register(alice, moots.moot_context(alice, hpuk), moot, mode="in_person")
    agenda.check_add_point(
        alice,
        moots.moot_context(alice, hpuk),
        moot,
        title="Summer leafleting: what worked",
        notes="Ten minutes to share what we learnt in Manchester Central.",
        minutes=10,
    )


def _tell(now: datetime) -> None:
    """What the worker would tell people on its first pass (issue 12: a newcomer signing in
    as Alice sees her queue): votes open and results published to their electorates, the
    consensus round to those who may respond, the poll's call for coordinators' support.
    Idempotent like the worker itself; nothing is mailed from here."""
    from folkmoot.decisions import notify
    from folkmoot.notifications.watch import watch

    notify.pending(now)
    notify.closing_soon(now)
    watch(now)


def _forum_threads(people: dict[str, User], hpuk: Assembly, red15m: Assembly) -> None:
    """A few threads so the forums show what they are for (once)."""
    if Thread.objects.filter(assembly__in=[hpuk, red15m]).exists():
        return
    proposal = do_open_thread(
        assembly=red15m,
        forum_key="votes",
        author=people["alice"],
        tag="[PROPUESTA-REFERENDUM]",
        title="Referendum: meet in person every quarter",
        body="I propose that the assembly meets **in person** once a quarter, rotating between cities.\n\n"
        "Debate for 7 days, or until three coordinators support it.",
    )
    reply = do_reply(
        thread=proposal,
        author=people["erin"],
        as_office="coordinator",
        body="My +1 as Coordinator.",
    )
    opening = proposal.posts.order_by("created_at").first()
    assert opening is not None
    do_react(
        post=opening,
        user=people["erin"],
        value=1,
        as_office="coordinator",
    )
    do_react(post=reply, user=people["alice"], value=1)
    debate = do_open_thread(
        assembly=red15m,
        forum_key="debates",
        author=people["erin"],
        tag="[DEBATE]",
        title="Are we tired, or have we given up?",
        body="An open debate: everyone signed in on the platform may reply here.",
    )
    do_reply(thread=debate, author=people["alice"], body="> Are we tired?\n\nTired, not resigned.")
    do_open_thread(
        assembly=red15m,
        forum_key="announcements",
        author=people["erin"],
        tag="[OFICIAL]",
        title="Protocol 2.0 is in force",
        as_office="coordinator",
        body="The assembly runs under Protocol 2.0. Read it on the protocol page.",
    )
    do_open_thread(
        assembly=hpuk,
        forum_key="proposals",
        author=people["alice"],
        tag="",
        title="A members' assembly in every constituency",
        body="Let us seek consensus on forming a constituency society wherever five members live.",
    )


def _cast_in_the_past(vote: Any, person: User, marks: str) -> None:
    """A ballot of a vote that closed before the demo was loaded: what `do_cast` would have
    left in the box while it was open (its "still open?" check would refuse it today, and an
    opened vote's times are fixed, so the demo cannot reopen it)."""
    from folkmoot.decisions.ballots import (
        CHANGE_CODE_LENGTH,
        CHECK_CODE_LENGTH,
        change_hash,
        new_code,
    )
    from folkmoot.decisions.models import BoxedBallot, Participation

    Participation.objects.create(vote=vote, person=person)
    BoxedBallot.objects.create(
        vote=vote,
        marks=marks,
        check_code=new_code(CHECK_CODE_LENGTH),
        change_hash=change_hash(vote, person, new_code(CHANGE_CODE_LENGTH)),
    )


def _decisions(people: dict[str, User], hpuk: Assembly, red15m: Assembly) -> None:
    """Decisions at every stage (once): a poll gathering support in RED15M, a consensus round
    in Harmony, an open STAR vote the demo people can still vote in, and a closed one whose
    result is in the consensus register."""
    from folkmoot.decisions.actions import decision_context, do_propose, do_respond
    from folkmoot.decisions.ballots import do_cast
    from folkmoot.decisions.models import Eligible, Proposal, Vote
    from folkmoot.decisions.settle import settle_vote
    from folkmoot.protocols.selectors import protocol_in_force

    if Proposal.objects.filter(assembly__in=[hpuk, red15m]).exists():
        return
    now = timezone.now()
    red = protocol_in_force(red15m)
    harmony = protocol_in_force(hpuk)
    assert red is not None and harmony is not None
    poll = do_propose(
        assembly=red15m,
        protocol=red.protocol,
        kind_key="poll",
        proposer=people["alice"],
        title="Which evening suits the monthly assembly?",
        body="A simple poll to fix the evening of our monthly online assembly.",
        options=["Monday", "Wednesday", "Thursday"],
        simple_question=True,
    )
    opening = poll.thread.posts.order_by("created_at").first() if poll.thread else None
    if opening is not None:
        do_react(post=opening, user=people["erin"], value=1, as_office="coordinator")
    conduct = do_propose(
        assembly=hpuk,
        protocol=harmony.protocol,
        kind_key="consensus_proposal",
        proposer=people["carol"],
        title="A code of conduct for our meetings",
        body="Speak for yourself, listen to the end, and keep to the agreed time.",
        options=["Adopt the code of conduct", "No change"],
        created_at=now - timedelta(days=2),
    )
    do_respond(proposal=conduct, person=people["grace"], round=1, response="agree", reason="")
    do_respond(proposal=conduct, person=people["dan"], round=1, response="stand_aside", reason="")
    # VOTE-14: the code's text moved once already (Dan's amendment, accepted into version 2);
    # Grace's waits for Carol's answer.
    from folkmoot.amendments.actions import do_answer_amendment, do_propose_amendment

    tidier = do_propose_amendment(
        proposal=conduct,
        author=people["dan"],
        passage="listen to the end",
        replacement="listen to each other to the end",
        why="It is about each other, not only the speaker.",
    )
    do_answer_amendment(amendment=tidier, by=people["carol"], accept=True, reason="Agreed.")
    do_propose_amendment(
        proposal=conduct,
        author=people["grace"],
        passage="keep to the agreed time.",
        replacement="keep to the agreed time; the facilitator may call a short break.",
        why="Long meetings need a pause.",
    )

    members = [people[n] for n in ("grace", "david", "alice", "carol", "dan")]
    ctx = decision_context(None, hpuk)
    for title, options, opens, closes, ballots in (
        (
            "Where should the autumn conference be held?",
            ["Leeds", "Bristol", "Glasgow"],
            now - timedelta(days=10),
            now - timedelta(days=3),
            ["530", "352", "503", "440", "215"],
        ),
        (
            "Theme of the spring campaign",
            ["Warm homes", "Clean rivers", "Buses that come"],
            now - timedelta(days=1),
            now + timedelta(days=6),
            ["530", "135"],
        ),
    ):
        vote = Vote.objects.create(
            assembly=hpuk,
            kind="star_vote",
            title=title,
            method="star",
            options=options,
            secret=True,
            validity=ctx.protocol.decision_kinds["star_vote"].validity.model_dump(),
            opens_at=opens,
            closes_at=closes,
            created_at=opens,
            launched_by=people["grace"],
        )
        Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in members])
        for person, marks in zip(members, ballots, strict=False):
            if vote.is_open(now):
                do_cast(vote=vote, person=person, marks=marks, valid=None)
            else:
                _cast_in_the_past(vote, person, marks)
        settle_vote(vote, now)
    _sealed_vote(people, hpuk, members, now)


def _sealed_vote(
    people: dict[str, User], hpuk: Assembly, members: list[User], now: datetime
) -> None:
    """Issue 16: a sealed STAR vote waiting for its key. Grace, Alice and Carol guard it (any
    two decrypt): each finds their first step with belenios-tool on their home page, and every
    member is asked to make their voting key before voting opens in two days. (The demo names
    its guardians; a protocol names them by office: `decision_kinds.*.sealed`.)"""
    from folkmoot.decisions.models import Eligible, Vote
    from folkmoot.sealed.launch import seal

    opens = now + timedelta(days=2)
    vote = Vote.objects.create(
        assembly=hpuk,
        kind="star_vote",
        title="Who should chair the summer gathering?",
        method="star",
        options=["Carol", "Dan", "David"],
        secret=True,
        validity={"ask_validity": False},
        ask_validity=False,
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        created_at=now,
        launched_by=people["grace"],
        sealed_ballots=True,
    )
    Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in members])
    guardians = [people[n] for n in ("grace", "alice", "carol")]
    seal(vote, hpuk, guardians, threshold=2, shuffle_hours=72)


def _referral(people: dict[str, User], hpuk: Assembly, youth: Assembly) -> None:
    """BEY-4: the Youth Assembly decided where its summer weekend goes and asked Harmony UK to
    ratify it; the ratification is in its consensus round."""
    from folkmoot.decisions.actions import decision_context, do_respond
    from folkmoot.decisions.models import Eligible, RegisterEntry, Vote
    from folkmoot.decisions.referrals import access_entry, check_refer
    from folkmoot.decisions.settle import settle_vote

    if Vote.objects.filter(assembly=youth).exists():
        return
    now = timezone.now()
    ctx = decision_context(None, youth)
    vote = Vote.objects.create(
        assembly=youth,
        kind="star_vote",
        title="Where should the youth summer weekend be?",
        method="star",
        options=["Lake District", "Snowdonia", "Peak District"],
        secret=True,
        validity=ctx.protocol.decision_kinds["star_vote"].validity.model_dump(),
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(days=2),
        created_at=now - timedelta(days=9),
        launched_by=people["carol"],
    )
    Eligible.objects.create(vote=vote, person=people["carol"])
    _cast_in_the_past(vote, people["carol"], "524")
    settle_vote(vote, now)
    entry = access_entry(people["carol"], RegisterEntry.objects.get(vote=vote).pk)
    referral = check_refer(
        people["carol"],
        entry,
        referral="ratify",
        kind_key="consensus_proposal",
        text="The Youth Assembly chose the Lake District for its summer weekend. "
        "It needs the federation's minibus, so we ask Harmony UK to ratify the choice.",
    )
    do_respond(proposal=referral, person=people["grace"], round=1, response="agree", reason="")
