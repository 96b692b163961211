"""Every kind of notification: what the person is told, where it leads, and how they hear of
it unless they choose otherwise (issue 12: "Notifications for everything that asks something
of someone"). The sentence is composed when read, in the reader's language, from what the
notification is about; nothing the person reads was frozen in another language."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# site: on the notifications page only; email: also an email at once; digest: also in the
# daily or weekly digest email; off: not at all.
CHANNELS = ("site", "email", "digest", "off")
CHANNEL_CHOICES = [
    ("site", _("On the site only")),
    ("email", _("By email at once")),
    ("digest", _("In my digest email")),
    ("off", _("Not at all")),
]
DIGESTS = [("daily", _("Daily")), ("weekly", _("Weekly"))]


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # for the preferences page: "when …"
    default: str  # a channel
    group: Any


_PEOPLE = _("People")
_ASKED = _("Asked of you")
_VOTES = _("Votes and elections")
_MOD = _("Moderation and sanctions")

KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind("mention", _("Someone mentions me"), "email", _PEOPLE),
        Kind("reply", _("Someone replies in a thread I started"), "digest", _PEOPLE),
        Kind("quote", _("Someone quotes a post of mine"), "digest", _PEOPLE),
        Kind("private_message", _("Someone writes to me in a private conversation"), "email", _PEOPLE),
        Kind("conversation_added", _("Someone adds me to a private conversation"), "email", _PEOPLE),
        Kind("join_decided", _("My request to join is decided"), "email", _PEOPLE),
        Kind("join_request", _("Someone asks to join an assembly where I am secretary"), "email", _ASKED),
        Kind("founding", _("A new assembly is proposed where my office approves it"), "email", _ASKED),
        Kind("founding_decided", _("A new assembly I proposed is founded or declined"), "email", _PEOPLE),
        Kind("reshape", _("Moving, merging or closing an assembly is proposed where my office approves it"), "email", _ASKED),
        Kind("reshape_decided", _("My proposal to move, merge or close an assembly is decided"), "email", _PEOPLE),
        Kind("roll_status", _("The member roll changes my status in a federation"), "email", _PEOPLE),
        Kind("assembly_reshaped", _("An assembly I belong to is moved, merged or closed"), "email", _PEOPLE),
        Kind("moot_called", _("A moot of an assembly I belong to is called"), "digest", _PEOPLE),
        Kind("moot_role", _("I am to facilitate a moot or take its minutes"), "email", _ASKED),
        Kind("moot_point", _("A point is added to a moot I facilitate"), "email", _ASKED),
        Kind("moot_point_decided", _("A point I added to a moot's agenda is decided"), "site", _PEOPLE),
        Kind("moot_changed", _("A moot I am coming to changes its agenda or is cancelled"), "email", _PEOPLE),
        Kind("moot_seat", _("A seat frees for me at a moot I wait for"), "email", _PEOPLE),
        Kind("moot_minutes", _("The minutes of a moot I attended are published"), "site", _PEOPLE),
        Kind("moot_reminder", _("A moot I am coming to starts within a day"), "email", _PEOPLE),
        Kind("consensus", _("A consensus round opens where I may respond"), "email", _ASKED),
        Kind("office_action", _("A proposal needs my office's support, approval or launch"), "email", _ASKED),
        Kind("urgent_to_agree", _("An urgent change of forums waits for my office's agreement"), "email", _ASKED),
        Kind("report", _("A post is reported where I coordinate"), "email", _MOD),
        Kind("message_report", _("A private message is reported (platform staff)"), "email", _MOD),
        Kind("rescue", _("Someone asks to bring back an archived thread where I coordinate"), "email", _MOD),
        Kind("report_handled", _("Moderators handle a post I reported"), "site", _MOD),
        Kind("rescue_decided", _("My request to bring back a thread is decided"), "email", _MOD),
        Kind("trashed", _("A post of mine is moved to the trash"), "email", _MOD),
        Kind("attachment_hidden", _("Moderators hide a file of mine, or show it again"), "email", _MOD),
        Kind("sanctioned", _("A sanction is imposed on me"), "email", _MOD),
        Kind("sanction_to_back", _("A sanction waits for my backing"), "email", _MOD),
        Kind("sanction_upheld", _("A sanction is backed and stands"), "email", _MOD),
        Kind("sanction_lapsed", _("A sanction lapses unbacked"), "email", _MOD),
        Kind("sanction_lifted", _("A persona non grata is lifted"), "email", _MOD),
        Kind("office_misconduct", _("I am found to have broken the protocol in an office"), "email", _MOD),
        Kind("misconduct_to_back", _("A finding of misconduct in office needs my backing"), "email", _MOD),
        Kind("project_owner", _("I am made the owner of an official project"), "email", _VOTES),
        Kind("recall_proposed", _("Someone proposes to recall me from an office"), "email", _VOTES),
        Kind("office_recalled", _("I am recalled from an office"), "email", _VOTES),
        Kind("vote_opened", _("A vote I may take part in opens"), "email", _VOTES),
        Kind("vote_closing", _("A vote I have not voted in yet closes within 24 hours"), "email", _VOTES),
        Kind("result", _("The result of a vote I could take part in is published"), "digest", _VOTES),
        Kind("election", _("An election I may vote in opens"), "email", _VOTES),
        Kind("candidacy", _("The outcome of an election I stood in"), "email", _VOTES),
        Kind("term_ending", _("My term of office ends within two weeks"), "email", _VOTES),
        Kind("office_absence", _("A fellow holder of my office tells of an absence"), "site", _VOTES),
        Kind("office_inactive", _("A fellow holder of my office goes quiet too long without notice"), "email", _VOTES),
        Kind("appointed", _("I am appointed to an office"), "email", _VOTES),
        Kind("appointment_ended", _("My appointment to an office ends"), "email", _VOTES),
        Kind("withdrawn", _("A proposal of mine is withdrawn"), "email", _VOTES),
        Kind("validated", _("A poll of mine is validated by a coordinator alone"), "site", _VOTES),
        Kind("weekly_turn", _("The turn of a weekly poll of mine comes"), "email", _VOTES),
        Kind("text_amendment", _("Someone proposes an amendment to the text of my proposal"), "email", _ASKED),
        Kind("amendment_answered", _("The proposer accepts or rejects my amendment"), "email", _VOTES),
        Kind("text_changed", _("The text of a proposal I responded to changes"), "email", _ASKED),
        Kind("sealed_guardian", _("My part as a guardian of a sealed vote is due"), "email", _ASKED),
        Kind("sealed_register", _("A sealed vote I may take part in asks me to register my voting key"), "email", _VOTES),
    ]
}  # fmt: skip
KIND_CHOICES = [(k, k) for k in KINDS]


@dataclass(frozen=True)
class Told:
    text: str  # one sentence, in the reader's language; plain text (escaped where shown)
    url: str  # a path on the site
    action: str  # what the link does
    where: str = ""  # the assembly's title


def place(n: Any) -> Any:
    """The assembly where it happened: stored since issue 12, else read from what it is about."""
    if n.assembly_id:
        return n.assembly
    if n.post_id:
        return n.post.thread.assembly
    if n.vote_id:
        return n.vote.assembly
    if n.proposal_id:
        return n.proposal.assembly
    return None


def _slug(n: Any) -> str:
    where = place(n)
    return where.slug if where is not None else ""


def _title(n: Any) -> str:
    if n.vote is not None:
        return str(n.vote.title)
    if n.proposal is not None:
        return str(n.proposal.title)
    return ""


def _where(n: Any) -> str:
    where = place(n)
    return str(where.title) if where is not None else ""


def describe(n: Any) -> Told:
    """What notification `n` says, where it leads, what the link does, and in which assembly.
    Expects what `with_context` loads."""
    return replace(_say(n), where=_where(n))


def _say(n: Any) -> Told:
    who = str(n.actor) if n.actor is not None else gettext("Someone")
    where = _where(n)
    title = _title(n)
    subject = n.subject if n.subject_type_id else None
    kind = n.kind
    if kind in ("mention", "reply", "quote") and n.post is not None:
        thread = n.post.thread.title
        text = {
            "mention": gettext("%(who)s mentioned you in “%(thread)s”."),
            "reply": gettext("%(who)s replied in your thread “%(thread)s”."),
            "quote": gettext("%(who)s quoted your post in “%(thread)s”."),
        }[kind] % {"who": who, "thread": thread}
        return Told(text, reverse("post", args=[_slug(n), n.post_id]), gettext("Read it"))
    if kind == "private_message":
        # FOR-6: who wrote, never what, nor the subject: the notice may go by email.
        return Told(
            gettext("%(who)s wrote to you in a private conversation.") % {"who": who},
            reverse("conversation", args=[n.subject_id]),
            gettext("Read it"),
        )
    if kind == "conversation_added":
        # FOR-6: who added them, never the conversation's subject (the notice may be mailed).
        return Told(
            gettext("%(who)s added you to a private conversation.") % {"who": who},
            reverse("conversation", args=[n.subject_id]),
            gettext("Read it"),
        )
    if kind == "attachment_hidden" and subject is not None:
        return _attachment_hidden(n, subject)
    if kind == "message_report":
        return Told(
            gettext("A private message was reported: the platform's staff review it."),
            reverse("conversation-reports"),
            gettext("Review the reports"),
        )
    if kind == "join_request":
        return Told(
            gettext("%(who)s asks to join %(where)s.") % {"who": who, "where": where},
            reverse("assembly-requests", args=[_slug(n)]),
            gettext("Decide"),
        )
    if kind == "join_decided":
        approved = bool(getattr(subject, "approved", False))
        text = (
            gettext("Your request to join %(where)s was accepted: you are a member.")
            if approved
            else gettext("Your request to join %(where)s was declined.")
        )
        return Told(
            text % {"where": where},
            reverse("assembly-detail", args=[_slug(n)]),
            gettext("See the assembly"),
        )
    if kind in ("report", "rescue"):
        text = (
            gettext("A post was reported in %(where)s.")
            if kind == "report"
            else gettext("%(who)s asks to bring back an archived thread in %(where)s.")
        )
        return Told(
            text % {"who": who, "where": where},
            reverse("moderation", args=[_slug(n)]),
            gettext("Open the moderation queue"),
        )
    if kind in ("founding", "founding_decided") and subject is not None:
        title = subject.title
        if kind == "founding":
            text = gettext("%(who)s proposes a new assembly inside %(where)s: “%(title)s”.")
        elif n.occasion == "approved":
            text = gettext("“%(title)s” is founded inside %(where)s.")
        else:
            text = gettext("Your proposal of “%(title)s” inside %(where)s was declined.")
        action = gettext("Decide") if kind == "founding" else gettext("See the proposal")
        return Told(
            text % {"who": who, "where": where, "title": title},
            reverse("founding", args=[subject.pk]),
            action,
        )
    if kind in ("reshape", "reshape_decided", "assembly_reshaped") and subject is not None:
        return _reshaped(kind, n, subject, who, where)
    if kind == "roll_status":
        text = {
            "joined": gettext("The member roll of %(where)s lists you: you joined it as a member."),
            "member": gettext("The member roll of %(where)s lists you: you are a member now."),
            "stopped": gettext(
                "The member roll of %(where)s no longer lists you: you take part as a "
                "participant, and no longer vote as a member."
            ),
        }.get(n.occasion, gettext("The member roll of %(where)s changed your status."))
        return Told(
            text % {"where": where},
            reverse("assembly-detail", args=[_slug(n)]),
            gettext("See the assembly"),
        )
    if kind.startswith("moot_") and subject is not None:
        return _moot(kind, n, subject, who, where)
    if kind == "report_handled":
        text = (
            gettext("The post you reported in “%(thread)s” was moved to the trash.")
            if n.occasion == "trashed"
            else gettext("The moderators read the post you reported in “%(thread)s” and kept it.")
        )
        thread = n.post.thread.title if n.post is not None else where
        return Told(
            text % {"thread": thread},
            reverse("forums", args=[_slug(n)]),
            gettext("Go to the forums"),
        )
    if kind == "rescue_decided" and subject is not None:
        text = (
            gettext("Your request to bring back “%(thread)s” was accepted: the thread is back.")
            if n.occasion == "accepted"
            else gettext("Your request to bring back “%(thread)s” was declined: it stays archived.")
        )
        return Told(
            text % {"thread": subject.thread.title},
            reverse("thread", args=[_slug(n), subject.thread_id]),
            gettext("Read the thread"),
        )
    if kind == "trashed" and subject is not None:
        thread = n.post.thread.title if n.post is not None else where
        text = gettext(
            "A moderator moved your post in “%(thread)s” to the trash, giving this reason: "
            "“%(reason)s”. A moderation sanction comes with it; the sanctions page says until when."
        ) % {"thread": thread, "reason": subject.reason}
        return Told(text, reverse("sanctions", args=[_slug(n)]), gettext("Read the sanctions"))
    if kind.startswith("sanction"):
        person = str(getattr(subject, "person", "")) if subject is not None else ""
        text = {
            "sanctioned": gettext(
                "A sanction was imposed on you in %(where)s: you may read, not write or vote, until it ends."
            ),
            "sanction_to_back": gettext(
                "%(who)s sanctioned %(person)s in %(where)s; it lapses unless another coordinator backs it."
            ),
            "sanction_upheld": gettext(
                "The sanction on %(person)s in %(where)s is backed and stands."
            ),
            "sanction_lapsed": gettext(
                "The sanction on %(person)s in %(where)s lapsed: nobody backed it in time."
            ),
            "sanction_lifted": gettext(
                "%(person)s is no longer non grata in %(where)s: enough holders lifted it."
            ),
        }[kind]
        return Told(
            text % {"who": who, "person": person, "where": where},
            reverse("sanctions", args=[_slug(n)]),
            gettext("Read the sanctions"),
        )
    if kind in ("consensus", "office_action", "withdrawn", "validated") and n.proposal_id:
        text = {
            "consensus": gettext(
                "A consensus round is open on “%(title)s”: say whether you agree."
            ),
            "office_action": {
                "support": gettext("“%(title)s” waits for your office's support."),
                "approval": gettext("“%(title)s” waits for your approval of its text."),
                "launch": gettext("“%(title)s” may be put to the vote: it waits for a launch."),
            }.get(n.occasion.split(":")[0], gettext("“%(title)s” waits for your office.")),
            "withdrawn": gettext("Your proposal “%(title)s” was withdrawn."),
            "validated": gettext(
                "Your poll “%(title)s” was validated by a coordinator: it no longer waits for "
                "supports."
            ),
        }[kind]
        return Told(
            text % {"title": title},
            reverse("proposal", args=[n.proposal_id]),
            gettext("See the proposal"),
        )
    if kind in ("vote_opened", "election") and n.vote_id and n.occasion == "without-key":
        # Issue 16 (decisions.notify.vote_opened): a sealed vote opened, and this person
        # registered no voting key before it did.
        text = gettext(
            "Voting is open in the sealed vote “%(title)s”, but you registered no voting "
            "key before it opened: you cannot vote in it."
        )
        return _on_sealed_vote(n, text % {"title": title}, gettext("See the vote"))
    if kind == "result" and n.vote_id and _unkeyed(n.vote):
        # Issue 16: a sealed vote whose guardians never made the key closed with no ballot
        # (sealed.closing._close_unkeyed); its "result" says why, not "published".
        text = gettext(
            "“%(title)s” closed before its guardians made the sealed vote's key: nobody "
            "could vote in it, and it has no result."
        )
        return _on_sealed_vote(n, text % {"title": title}, gettext("See the vote"))
    if kind in ("vote_opened", "vote_closing", "result", "election") and n.vote_id:
        text = {
            "vote_opened": gettext("Voting is open: “%(title)s”."),
            "vote_closing": gettext("Less than 24 hours left to vote on “%(title)s”."),
            "result": gettext("The result of “%(title)s” is published."),
            "election": gettext("An election is open: “%(title)s”."),
        }[kind]
        action = gettext("See the result") if kind == "result" else gettext("Vote")
        return Told(text % {"title": title}, reverse("vote", args=[n.vote_id]), action)
    if kind == "sealed_guardian" and n.vote_id:
        # Issue 16: the occasion is the guardian's step that is now due.
        if n.occasion.startswith("kept:"):
            # Issue 16 (sealed.handing): the worker's check kept this guardian's step.
            text = (
                gettext("Your shuffle for the sealed vote “%(title)s” was checked and kept.")
                if n.occasion == "kept:shuffle"
                else gettext(
                    "Your share of the decryption for the sealed vote “%(title)s” was checked "
                    "and kept."
                )
            )
            return _on_sealed_vote(n, text % {"title": title}, gettext("See the vote"))
        if n.occasion.startswith("refused-own:"):
            # Issue 16 (sealed.handing): the worker's check refused this guardian's shuffle
            # or partial decryption; the page says why.
            text = gettext(
                "belenios-tool refused what you handed in for the sealed vote “%(title)s”: "
                "see why on its page, and hand in your step again."
            )
            return _on_sealed_vote(n, text % {"title": title}, gettext("Take my step"))
        if n.occasion.startswith("refused:"):
            # Issue 16 (sealed.ceremony): the round's files failed belenios-tool's check
            # together; the fault may be any guardian's, this one's included.
            text = gettext(
                "belenios-tool refused the guardians' files of the sealed vote "
                "“%(title)s” together: check what you handed in and hand it in again."
            )
            return _on_sealed_vote(n, text % {"title": title}, gettext("Take my step"))
        step = {
            "certificate": gettext("make your certificate"),
            "polynomial": gettext("make your polynomial"),
            "share": gettext("answer your share's input"),
            "shuffle": gettext("shuffle the ballots"),
            "decryption": gettext("decrypt your share of the result"),
        }.get(n.occasion, gettext("take your step"))
        text = gettext("As a guardian of the sealed vote “%(title)s”, it is your turn to %(step)s.")
        return _on_sealed_vote(n, text % {"title": title, "step": step}, gettext("Take my step"))
    if kind == "sealed_register" and n.vote_id:
        text = gettext(
            "“%(title)s” is a sealed vote: register your voting key before it opens, or "
            "you cannot vote in it."
        )
        return _on_sealed_vote(n, text % {"title": title}, gettext("Register my key"))
    if kind in ("appointed", "appointment_ended"):
        text = (
            gettext("%(who)s appointed you to an office in %(where)s.")
            if kind == "appointed"
            else gettext("Your appointment to an office in %(where)s has ended.")
        )
        return Told(
            text % {"who": who, "where": where},
            reverse("offices", args=[_slug(n)]),
            gettext("See the offices"),
        )
    if kind in ("candidacy", "term_ending"):
        if kind == "term_ending":
            # The occasion is the term's last day (ISO), so a renewed term is told again.
            ends = parse_date(n.occasion) if n.occasion else None
            text = gettext("Your term of office in %(where)s ends soon.") % {"where": where}
            if ends is not None:
                text = gettext("Your term of office in %(where)s ends on %(date)s.") % {
                    "where": where,
                    "date": date_format(ends, "DATE_FORMAT"),
                }
        elif n.occasion == "elected":
            text = gettext("You were elected in %(where)s.") % {"where": where}
        else:
            text = gettext("You were not elected in %(where)s this time.") % {"where": where}
        return Told(text, reverse("offices", args=[_slug(n)]), gettext("See the offices"))
    if kind == "office_absence" and subject is not None:
        text = gettext(
            "%(who)s is away from their office in %(where)s, %(from)s to %(to)s: %(reason)s"
        )
        return Told(
            text
            % {
                "who": who,
                "where": where,
                "from": date_format(subject.starts_on, "DATE_FORMAT"),
                "to": date_format(subject.ends_on, "DATE_FORMAT"),
                "reason": subject.reason,
            },
            reverse("offices", args=[_slug(n)]),
            gettext("See the offices"),
        )
    if kind == "office_inactive" and subject is not None:
        since = parse_date(n.occasion.removeprefix("idle:")) if n.occasion else None
        text = gettext(
            "%(holder)s, who holds an office with you in %(where)s, has done nothing there since "
            "%(since)s and has not told of an absence."
        )
        return Told(
            text
            % {
                "holder": subject.holder,
                "where": where,
                "since": date_format(since, "DATE_FORMAT") if since else "—",
            },
            reverse("offices", args=[_slug(n)]),
            gettext("See the offices"),
        )
    if kind == "recall_proposed" and n.proposal_id:
        # Art. 8.3: the occasion is the office's key.
        return Told(
            gettext(
                "%(who)s proposes to recall you from your office of %(office)s in %(where)s: "
                "“%(title)s”."
            )
            % {
                "who": who,
                "office": _office_name(place(n), n.occasion),
                "where": where,
                "title": title,
            },
            reverse("proposal", args=[n.proposal_id]),
            gettext("See the proposal"),
        )
    if kind == "urgent_to_agree" and n.proposal_id:
        # Art. 3: the occasion is the key of the office whose every holder must agree.
        return Told(
            gettext(
                "%(who)s proposes to change the forums of %(where)s: “%(title)s”. It is in force "
                "at once if every one of the %(office)s agrees: it waits for your agreement."
            )
            % {
                "who": who,
                "where": where,
                "title": title,
                "office": _office_name(place(n), n.occasion, plural=True),
            },
            reverse("proposal", args=[n.proposal_id]),
            gettext("Read it and agree"),
        )
    if kind == "weekly_turn" and n.proposal_id:
        # VOTE-7, art. 12: first in line, and a week since the last weekly poll opened.
        return Told(
            gettext(
                "It is the turn of your weekly poll “%(title)s”: it may be put to the vote now."
            )
            % {"title": title},
            reverse("proposal", args=[n.proposal_id]),
            gettext("See the proposal"),
        )
    if kind == "office_recalled" and n.proposal_id:
        return Told(
            gettext("You were recalled from your office in %(where)s: the decision carried.")
            % {"where": where},
            reverse("proposal", args=[n.proposal_id]),
            gettext("Read the decision"),
        )
    if kind == "text_changed" and n.proposal_id:
        # VOTE-14 with VOTE-1: their response was to the text before this change.
        return Told(
            gettext(
                "The text of “%(title)s” changed since you responded: read it again, and "
                "change your response if you need to."
            )
            % {"title": title},
            reverse("proposal", args=[n.proposal_id]),
            gettext("See the proposal"),
        )
    if kind in ("text_amendment", "amendment_answered") and subject is not None:
        # VOTE-14: the subject is the amendment.
        if kind == "text_amendment":
            text = gettext(
                "%(who)s proposes amendment %(number)s to the text of “%(title)s”: accept or "
                "reject it."
            )
        elif subject.accepted:
            text = gettext("%(who)s accepted your amendment %(number)s to “%(title)s”.")
        else:
            text = gettext(
                "%(who)s rejected your amendment %(number)s to “%(title)s”; with enough support "
                "it can still go to the vote."
            )
        return Told(
            text % {"who": who, "number": subject.number, "title": title},
            reverse("proposal", args=[subject.proposal_id]) + "#amendments",
            gettext("See the amendment"),
        )
    if kind == "project_owner" and subject is not None:
        return Told(
            gettext("You carry out “%(title)s” in %(where)s: post its progress as it goes.")
            % {"title": subject.entry.title, "where": where},
            reverse("project", args=[subject.entry_id]),
            gettext("See the project"),
        )
    if kind == "misconduct_to_back" and subject is not None:
        return Told(
            gettext(
                "%(who)s found misconduct by %(holder)s as %(office)s in %(where)s; it lapses "
                "unless others back it."
            )
            % {
                "who": who,
                "holder": subject.holder,
                "office": _office_name(subject.assembly, subject.office),
                "where": where,
            },
            reverse("sanctions", args=[_slug(n)]) + "#misconducts",
            gettext("Read the sanctions"),
        )
    if kind == "office_misconduct" and subject is not None:
        if subject.ends_at is None:
            text = gettext(
                "You were found to have broken the protocol again as %(office)s in %(where)s: "
                "you may not stand for this office again."
            )
        else:
            text = gettext(
                "You were found to have broken the protocol as %(office)s in %(where)s: you "
                "may not stand for this office from %(from)s to %(to)s."
            )
        return Told(
            text
            % {
                "office": _office_name(subject.assembly, subject.office),
                "where": where,
                "from": date_format(timezone.localtime(subject.serves_from), "DATETIME_FORMAT"),
                "to": date_format(timezone.localtime(subject.ends_at), "DATETIME_FORMAT")
                if subject.ends_at
                else "",
            },
            reverse("sanctions", args=[_slug(n)]),
            gettext("Read the sanctions"),
        )
    # A notice whose subject is gone (a vote deleted in a test, say): still readable.
    return Told(gettext("Something happened in %(where)s.") % {"where": where or "—"}, "/", "")


def _unkeyed(vote: Any) -> bool:
    """A sealed vote counted without its key ever made (read with the notice: with_context)."""
    if not vote.sealed_ballots:
        return False
    try:
        sealed = vote.sealed
    except ObjectDoesNotExist:
        return False
    return sealed.decrypted_at is not None and not sealed.threshold_params


def _on_sealed_vote(n: Any, text: str, action: str) -> Told:
    """A notice about a sealed vote (issue 16): its page is where each of them is acted on."""
    return Told(text, reverse("sealed_vote", args=[n.vote_id]), action)


def _attachment_hidden(n: Any, attachment: Any) -> Told:
    """FOR-7: a moderator hid one file of the person's (or showed it again); it is kept."""
    if attachment.hidden_at is not None:
        text = gettext("A moderator hid your file “%(name)s”: %(reason)s") % {
            "name": attachment.name,
            "reason": attachment.hidden_reason,
        }
    else:
        text = gettext("A moderator showed your file “%(name)s” again.") % {"name": attachment.name}
    if attachment.proposal_id:
        url = reverse("proposal", args=[attachment.proposal_id])
    elif attachment.moot_id:
        url = reverse("moot", args=[attachment.moot_id])
    else:
        url = reverse("post", args=[_slug(n), attachment.post_id])
    return Told(text, url, gettext("See where it is"))


def _office_name(assembly: Any, key: str, *, plural: bool = False) -> str:
    """An office in the reader's language, as the protocol in force names it (its holders,
    with `plural`)."""
    from django.utils.translation import get_language

    from folkmoot.protocols.selectors import protocol_in_force

    in_force = protocol_in_force(assembly) if assembly is not None else None
    rule = in_force.protocol.offices.get(key) if in_force is not None else None
    if rule is None:
        return key
    name = (rule.plural or rule.name) if plural else rule.name
    return name.get(get_language() or "en")


def _reshaped(kind: str, n: Any, subject: Any, who: str, where: str) -> Told:
    """Moving, merging or closing an assembly (issue 13): `subject` is the request. A
    restricted assembly is not named: not everyone told may see it."""
    from folkmoot.federation.models import AccessMode

    target = subject.target if subject.target_id else None
    if target is None:
        other = ""
    elif target.access_mode == AccessMode.RESTRICTED:
        other = gettext("another assembly")
    else:
        other = target.title
    if kind == "reshape":
        text = {
            "move": gettext("%(who)s proposes to move %(where)s under “%(other)s”."),
            "merge": gettext("%(who)s proposes to merge %(where)s into “%(other)s”."),
            "close": gettext("%(who)s proposes to close %(where)s."),
        }[subject.kind]
        action = gettext("Decide")
    elif kind == "reshape_decided":
        text = (
            gettext("Your proposal to change %(where)s was approved: it is done.")
            if n.occasion == "approved"
            else gettext("Your proposal to change %(where)s was declined.")
        )
        action = gettext("See the proposal")
    else:
        text = {
            "move": gettext("%(where)s now sits under “%(other)s”."),
            "merge": gettext(
                "%(where)s was merged into “%(other)s”: you are part of it now, and the record "
                "of %(where)s stays readable."
            ),
            "close": gettext("%(where)s was closed: its record stays readable."),
            "merge_asked": gettext(
                "%(where)s was merged into “%(other)s”: your request to join it is closed. "
                "Ask to join “%(other)s” if you wish."
            ),
            "merge_out": gettext(
                "%(where)s was merged into “%(other)s”, and its record stays readable. Its "
                "rules did not admit you: you did not join it."
            ),
        }[n.occasion or subject.kind]
        action = gettext("See the assembly")
        url = reverse("assembly-detail", args=[subject.assembly.slug])
        return Told(text % {"who": who, "where": where, "other": other}, url, action)
    return Told(
        text % {"who": who, "where": where, "other": other},
        reverse("reshaping", args=[subject.pk]),
        action,
    )


def _moot(kind: str, n: Any, subject: Any, who: str, where: str) -> Told:
    """Moots (issue 14): `subject` is the moot, or for a decided point the point."""
    if kind == "moot_point_decided":
        text = {
            "accepted": gettext("Your point “%(title)s” is on the agenda of “%(moot)s”."),
            "merged": gettext("Your point “%(title)s” was merged into another of “%(moot)s”."),
            "declined": gettext("Your point “%(title)s” was not put on the agenda of “%(moot)s”."),
        }.get(n.occasion, gettext("Your point “%(title)s” was decided."))
        moot = subject.moot
        return Told(
            text % {"title": subject.title, "moot": moot.title},
            reverse("moot", args=[moot.pk]) + "#agenda",
            gettext("See the agenda"),
        )
    when = date_format(timezone.localtime(subject.starts_at), "DATETIME_FORMAT")
    if kind == "moot_changed" and n.occasion == "cancelled":
        text = gettext("The moot “%(title)s” of %(where)s, on %(when)s, is cancelled.")
    elif kind == "moot_changed" and n.occasion.startswith("moved:"):
        text = gettext("The moot “%(title)s” of %(where)s changed its time or place: %(when)s.")
    elif kind == "moot_changed" and n.occasion.startswith("seat_lost:"):
        text = gettext(
            "The moot “%(title)s” (%(when)s) has fewer seats now: you are on its waiting list, "
            "and told when a seat frees."
        )
    elif kind == "moot_called" and n.occasion == "series":
        text = gettext("The next moot of the series “%(title)s” of %(where)s is planned: %(when)s.")
    else:
        text = {
            "moot_called": gettext("%(who)s calls a moot of %(where)s: “%(title)s”, %(when)s."),
            "moot_role": gettext("You facilitate the moot “%(title)s” of %(where)s, %(when)s.")
            if n.occasion == "facilitator"
            else gettext("You take the minutes of the moot “%(title)s” of %(where)s, %(when)s."),
            "moot_point": gettext("%(who)s adds a point to the moot “%(title)s”: decide on it."),
            "moot_changed": gettext("The agenda of the moot “%(title)s” changed."),
            "moot_seat": gettext("A seat freed at the moot “%(title)s”: you are coming, %(when)s."),
            "moot_reminder": gettext("The moot “%(title)s” of %(where)s starts %(when)s."),
            "moot_minutes": gettext("The minutes of the moot “%(title)s” are published."),
        }[kind]
    return Told(
        text % {"who": who, "where": where, "title": subject.title, "when": when},
        reverse("moot", args=[subject.pk]),
        gettext("See the moot"),
    )


def with_context(rows: Any) -> Any:
    """What `describe` reads, loaded in a fixed number of queries."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    from folkmoot.amendments.models import TextAmendment
    from folkmoot.attachments.models import Attachment
    from folkmoot.federation.models import (
        FoundingRequest,
        JoinRequest,
        ReshapeRequest,
        RollImport,
    )
    from folkmoot.forums.models import RescueRequest
    from folkmoot.moderation.models import Sanction
    from folkmoot.moots.models import AgendaPoint, Moot

    return (
        rows.select_related(
            "actor",
            "assembly",
            "post__thread__assembly",
            "vote__assembly",
            "vote__sealed",
            "proposal__assembly",
        )
        # A sealed vote's archive and election are large, and no sentence reads them.
        .defer("vote__sealed__archive", "vote__sealed__election_json")
        .prefetch_related(
            # What the sentences read of a subject comes with it (a sanction names its person).
            GenericPrefetch(
                "subject",
                [
                    Sanction.objects.select_related("person"),
                    JoinRequest.objects.all(),
                    FoundingRequest.objects.all(),
                    ReshapeRequest.objects.select_related("assembly", "target"),
                    RollImport.objects.only("pk"),
                    Moot.objects.all(),
                    AgendaPoint.objects.select_related("moot"),
                    RescueRequest.objects.select_related("thread"),
                    TextAmendment.objects.all(),
                    Attachment.objects.all(),
                ],
            )
        )
    )
