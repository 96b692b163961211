"""Feeds for programs that carry no session (BEY-5): iCalendar of votes and elections, per
assembly and per person (found by a secret key), and Atom feeds of the consensus register.

What a feed shows is computed when it is read (DESIGN.md "Time"): a vote is listed until it
closes, an election window until it has passed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import my_memberships
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.amendment import AdoptedVersion, version_in_force
from folkmoot.governance.protocol import Protocol
from folkmoot.http import Request
from folkmoot.notifications.models import EmailPreference
from folkmoot.offices.selectors import upcoming_elections
from folkmoot.protocols.models import ProtocolVersion
from folkmoot.protocols.selectors import protocol_in_force, protocol_of_version

from .models import Eligible, Participation, RegisterEntry, Vote

FEED_LENGTH = 50
CACHE_SECONDS = int(timedelta(minutes=15).total_seconds())


def absolute(name: str, *args: Any, fallback: str) -> str:
    """An absolute link for a reader outside the site (calendar programs, feed readers)."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback
    return f"{settings.SITE_URL}{path}"


def vote_link(vote_id: int) -> str:
    return absolute("vote", vote_id, fallback=f"/votes/{vote_id}/")


def proposal_link(proposal_id: int) -> str:
    return absolute("proposal", proposal_id, fallback=f"/decisions/{proposal_id}/")


def outcome_text(outcome: str) -> str:
    from .selectors import OUTCOMES

    return str(OUTCOMES.get(outcome, outcome))


# iCalendar


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Folkmoot//Decisions//EN")
    calendar.add("version", "2.0")
    # vText escapes the commas, semicolons and line breaks an assembly's title may hold.
    calendar.add("x-wr-calname", vText(" ".join(name.split())))
    return calendar


def _ics(calendar: Calendar) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = f"max-age={CACHE_SECONDS}"
    return response


def _vote_event(vote: Vote, summary: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"vote-{vote.pk}@folkmoot")
    event.add("dtstamp", now)
    event.add("dtstart", vote.opens_at)
    event.add("dtend", vote.closes_at)
    event.add("summary", summary)
    event.add("url", vote_link(vote.pk))
    if vote.assembly is not None:
        event.add("location", vote.assembly.title)
    return event


def protocols_in_force(assemblies: list[Assembly], now: datetime) -> dict[int, Protocol]:
    """`protocol_in_force` for many assemblies at once (two queries whatever their number):
    each assembly's own version in force or else its nearest ancestor's."""
    roots = {a.federation_id for a in assemblies}
    parents = dict(
        Assembly.objects.filter(Q(pk__in=roots) | Q(root_id__in=roots)).values_list(
            "pk", "parent_id"
        )
    )
    chains: dict[int, list[int]] = {}
    for assembly in assemblies:
        chain = [assembly.pk]
        node = parents.get(assembly.pk)
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        chains[assembly.pk] = chain
    versions: dict[int, list[ProtocolVersion]] = {}
    for version in ProtocolVersion.objects.filter(
        assembly_id__in={pk for chain in chains.values() for pk in chain}
    ):
        versions.setdefault(version.assembly_id, []).append(version)
    out: dict[int, Protocol] = {}
    for pk, chain in chains.items():
        for candidate in chain:
            own = versions.get(candidate, [])
            chosen = version_in_force([AdoptedVersion(v.number, v.adopted_at) for v in own], now)
            if chosen is not None:
                version = next(v for v in own if v.number == chosen.number)
                out[pk] = protocol_of_version(version.pk, version.document)
                break
    return out


def _election_events(
    assembly: Assembly,
    protocol: Protocol | None,
    now: datetime,
    language: str,
    *,
    taken: set[tuple[str, datetime]],
    prefix: bool,
) -> Iterable[Event]:
    """The assembly's coming election windows from its protocol in force, except those an
    opened election (a Vote row, listed on its own) already covers. A closed assembly has
    none (issue 13)."""
    if protocol is None or assembly.closed_at is not None:
        return []
    events = []
    for key, rule, window in upcoming_elections(protocol, now):
        if (key, window.opens_at) in taken or window.closes_at <= now:
            continue
        summary = _("Election: %(office)s") % {"office": rule.name.get(language)}
        if prefix:
            summary = _("%(assembly)s: %(what)s") % {"assembly": assembly.title, "what": summary}
        event = Event()
        event.add("uid", f"election-{assembly.pk}-{key}-{window.opens_at:%Y%m%dT%H%M%SZ}@folkmoot")
        event.add("dtstamp", now)
        event.add("dtstart", window.opens_at)
        event.add("dtend", window.closes_at)
        event.add("summary", summary)
        event.add(
            "url",
            absolute("offices", assembly.slug, fallback=f"/assemblies/{assembly.slug}/offices/"),
        )
        event.add("location", assembly.title)
        events.append(event)
    return events


def _taken(votes: Iterable[Vote]) -> set[tuple[str, datetime]]:
    return {(v.office.slug, v.opens_at) for v in votes if v.office is not None and v.opens_at}


def assembly_calendar(request: Request, slug: str) -> HttpResponse:
    """The assembly's open and coming votes and its coming elections."""
    assembly = assembly_or_404(request, slug)
    now = timezone.now()
    language = get_language() or settings.LANGUAGE_CODE
    votes = list(
        Vote.objects.filter(assembly=assembly, closes_at__gt=now, opens_at__isnull=False)
        .select_related("assembly", "office")
        .order_by("opens_at", "pk")
    )
    calendar = _calendar(
        _("%(assembly)s: votes, elections and moots") % {"assembly": assembly.title}
    )
    for vote in votes:
        calendar.add_component(_vote_event(vote, vote.title, now))
    in_force = protocol_in_force(assembly)
    protocol = in_force.protocol if in_force else None
    taken = _taken(votes)
    for event in _election_events(assembly, protocol, now, language, taken=taken, prefix=False):
        calendar.add_component(event)
    from folkmoot.moots.feeds import assembly_moots, moot_event  # the moots' room, above

    for moot in assembly_moots(request.user, assembly, now):
        calendar.add_component(moot_event(moot, request.build_absolute_uri, prefix=False))
    return _ics(calendar)


def person_calendar(request: Request, key: str) -> HttpResponse:
    """One person's calendar, found by the secret in its address: the votes they may vote in
    (marked once they have voted) and the elections of the assemblies they belong to."""
    preference = get_object_or_404(
        EmailPreference.objects.select_related("user"), feed_key=key, feed_key__isnull=False
    )
    person = preference.user
    if not person.is_active:
        raise Http404
    now = timezone.now()
    with translation.override(getattr(person, "language", "") or get_language()):
        language = get_language() or settings.LANGUAGE_CODE
        rows = list(
            Eligible.objects.filter(
                person=person, vote__closes_at__gt=now, vote__opens_at__isnull=False
            )
            .annotate(
                voted=Exists(Participation.objects.filter(vote=OuterRef("vote"), person=person))
            )
            .select_related("vote", "vote__assembly", "vote__office")
            .order_by("vote__opens_at", "vote__pk")
        )
        calendar = _calendar(_("My votes, elections and moots"))
        for row in rows:
            vote = row.vote
            summary = vote.title
            if row.voted:
                summary = _("%(title)s (voted)") % {"title": vote.title}
            calendar.add_component(_vote_event(vote, summary, now))
        taken_by_assembly: dict[int | None, list[Vote]] = {}
        for row in rows:
            taken_by_assembly.setdefault(row.vote.assembly_id, []).append(row.vote)
        assemblies = list({a.pk: a for a, _membership in my_memberships(person)}.values())
        protocols = protocols_in_force(assemblies, now) if assemblies else {}
        for assembly in assemblies:
            taken = _taken(taken_by_assembly.get(assembly.pk, []))
            protocol = protocols.get(assembly.pk)
            for event in _election_events(
                assembly, protocol, now, language, taken=taken, prefix=True
            ):
                calendar.add_component(event)
        from folkmoot.moots.feeds import moot_event, person_moots

        for moot in person_moots(person, now):
            calendar.add_component(moot_event(moot, request.build_absolute_uri))
        response = _ics(calendar)
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    response["X-Robots-Tag"] = "noindex"
    return response


# Atom


def _register_feed(
    request: Request, entries: Iterable[RegisterEntry], *, title: str, link: str
) -> HttpResponse:
    feed = Atom1Feed(
        title=title,
        link=link,
        description=_("Every decision, as it is made."),
        feed_url=request.build_absolute_uri(),
        language=get_language() or settings.LANGUAGE_CODE,
        author_name="Folkmoot",  # Atom requires an author (RFC 4287 §4.1.1)
    )
    for entry in entries:
        url = (
            vote_link(entry.vote_id)
            if entry.vote_id
            else proposal_link(entry.proposal_id)
            if entry.proposal_id
            else absolute("register", fallback="/register/")
        )
        # The summary is HTML to feed readers: names people typed are escaped.
        description = _("%(assembly)s. Outcome: %(outcome)s.") % {
            "assembly": escape(entry.assembly.title),
            "outcome": escape(outcome_text(entry.outcome)),
        }
        if entry.winners:
            description += " " + _("Winners: %(winners)s.") % {
                "winners": escape(", ".join(str(w) for w in entry.winners))
            }
        if not entry.binding:
            description += " " + _("Not binding.")
        feed.add_item(
            title=entry.title,
            link=url,
            description=description,
            unique_id=f"{settings.SITE_URL}/register/#entry-{entry.pk}",
            pubdate=entry.decided_at,
            updateddate=entry.decided_at,
            categories=[entry.assembly.title],
        )
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    response["Cache-Control"] = f"max-age={CACHE_SECONDS}"
    return response


def register_feed(request: Request) -> HttpResponse:
    """The latest decisions of every assembly the reader may see."""
    entries = RegisterEntry.objects.filter(
        assembly__in=Assembly.objects.visible_to(request.user).values("pk")
    ).select_related("assembly")[:FEED_LENGTH]
    return _register_feed(
        request,
        entries,
        title=_("Consensus register"),
        link=absolute("register", fallback="/register/"),
    )


def assembly_register_feed(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    entries = RegisterEntry.objects.filter(assembly=assembly).select_related("assembly")[
        :FEED_LENGTH
    ]
    return _register_feed(
        request,
        entries,
        title=_("%(assembly)s: decisions") % {"assembly": assembly.title},
        link=absolute(
            "decisions", assembly.slug, fallback=f"/assemblies/{assembly.slug}/decisions/"
        ),
    )
