"""Pages of private messages (FOR-6): thin, the same actions as the API. Nothing a person
typed travels in a URL: forms post, and a refused message comes back on the page with its
reasons, its text kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import AuthedRequest
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, blocks, holders, pace, reports, rules, selectors
from .models import Conversation, Participant
from .people import by_public_ids, find_people
from .rules import BODY_LENGTH, MAX_PEOPLE, REASON_LENGTH, SUBJECT_LENGTH

LIMITS = {
    "body_length": BODY_LENGTH,
    "subject_length": SUBJECT_LENGTH,
    "reason_length": REASON_LENGTH,
    "max_people": MAX_PEOPLE,
}


def _seat(request: AuthedRequest, pk: int) -> Participant:
    try:
        return actions.access_conversation(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such conversation.")) from missing


def _refused(request: AuthedRequest, refused: Refused) -> HttpResponse:
    return render(request, "conversations/refused.html", {"reasons": refused.messages}, status=403)


def _status(refused: Refused) -> int:
    """A form refused comes back with its reasons: 429 when it was sent too fast (it may be
    sent again in a moment), else 400."""
    return 429 if isinstance(refused, pace.TooFast) else 400


def _with_retry(response: HttpResponse, refused: Refused) -> HttpResponse:
    if isinstance(refused, pace.TooFast):
        response["Retry-After"] = str(refused.seconds)
    return response


def _message_id(value: str | None) -> int | None:
    """A message id from a link or a form (`before`), ASCII digits only; anything else is
    no cursor at all: the newest messages."""
    if value and value.isascii() and value.isdecimal() and len(value) < 19:
        return int(value)
    return None


@login_required
def inbox_page(request: AuthedRequest) -> HttpResponse:
    found = selectors.inbox(request.user, request.GET.get("page"))
    return render(
        request,
        "conversations/inbox.html",
        {"rows": found.rows, "page_obj": found.page, **LIMITS},
    )


@login_required
def new_page(request: AuthedRequest) -> HttpResponse:
    """Choose people and write. One form, without JavaScript: "Find" posts it back with the
    people found added as choices, the people already chosen and the text kept; "Send"
    starts the conversation."""
    data = request.POST if request.method == "POST" else request.GET
    to = data.getlist("to")
    find = data.get("find", "")
    context: dict[str, Any] = {
        "chosen": [],
        "found": [],
        "find": find,
        "subject": data.get("subject", ""),
        "body": data.get("body", ""),
        "errors": [],
        **LIMITS,
    }
    # Counted before anyone is looked up: a form posted with thousands of ids costs nothing.
    named = rules.check_named(len(to))
    if not named:
        context["errors"] = reasons_text(named)
        return render(request, "conversations/new.html", context, status=400)
    chosen, _unknown = by_public_ids(to)
    chosen = [p for p in chosen if p.pk != request.user.pk]
    context["chosen"] = chosen
    context["found"] = [p for p in find_people(find, exclude=request.user) if p not in chosen]
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            conversation = actions.check_start(
                request.user,
                to=request.POST.getlist("to"),
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
            )
        except Refused as refused:
            context["errors"] = refused.messages
            return _with_retry(
                render(request, "conversations/new.html", context, status=_status(refused)),
                refused,
            )
        return redirect("conversation", conversation.pk)
    return render(request, "conversations/new.html", context)


def _to_holders(request: AuthedRequest, found: holders.Holders, action: str) -> HttpResponse:
    context: dict[str, Any] = {
        "holders": found,
        "action": action,
        "subject": request.POST.get("subject", ""),
        "body": request.POST.get("body", ""),
        "errors": [],
        **LIMITS,
    }
    if request.method == "POST":
        try:
            conversation = holders.check_write_to(
                request.user,
                found,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
            )
        except Refused as refused:
            context["errors"] = refused.messages
            return _with_retry(
                render(request, "conversations/to_holders.html", context, status=_status(refused)),
                refused,
            )
        return redirect("conversation", conversation.pk)
    return render(request, "conversations/to_holders.html", context)


@login_required
def to_office_page(request: AuthedRequest, slug: str, office: str) -> HttpResponse:
    try:
        found = holders.office_holders(request.user, slug, office)
    except NotFound as missing:
        raise Http404(_("No such office.")) from missing
    return _to_holders(request, found, reverse("conversation-to-office", args=[slug, office]))


@login_required
def appeal_page(request: AuthedRequest, slug: str) -> HttpResponse:
    try:
        found = holders.appeal_to(request.user, slug)
    except NotFound as missing:
        raise Http404(_("No such assembly.")) from missing
    return _to_holders(request, found, reverse("conversation-appeal", args=[slug]))


@login_required
def conversation_page(request: AuthedRequest, pk: int) -> HttpResponse:
    return _conversation(request, _seat(request, pk))


def _conversation(
    request: AuthedRequest,
    seat: Participant,
    *,
    draft: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    blocked = blocks.blocked_ids(request.user)
    before = _message_id(request.GET.get("before"))
    page = selectors.page_of(seat, blocked, before=before)
    if page.latest:
        # Reading the newest messages moves the marker and reads the conversation's
        # notices; the header's counts are read after both (with the notifications' count,
        # in one query), so they no longer count it. Going back to earlier ones reads
        # nothing new.
        if page.messages:
            actions.do_mark_read(seat=seat, upto=page.messages[-1].pk)
        seen(
            request,
            kind=actions.KIND,
            subject_type=ContentType.objects.get_for_model(Conversation),
            subject_id=seat.conversation_id,
        )
    may_write = actions.may_write(seat)
    return render(
        request,
        "conversations/conversation.html",
        {
            "seat": seat,
            "conversation": seat.conversation,
            "people": selectors.people_in(seat),
            "page": page,
            "lines": page.lines,
            "before": before,
            "blocked": blocked,
            "may_write": may_write.allowed,
            "write_reasons": reasons_text(may_write),
            "may_add": actions.may_add(seat).allowed,
            "draft": draft,
            "errors": errors or [],
            **LIMITS,
        },
        status=status,
    )


@login_required
@require_POST
def reply(request: AuthedRequest, pk: int) -> HttpResponse:
    seat = _seat(request, pk)
    body = request.POST.get("body", "")
    try:
        message = actions.check_send(seat, body)
    except Refused as refused:
        response = _conversation(
            request, seat, draft=body, errors=refused.messages, status=_status(refused)
        )
        return _with_retry(response, refused)
    return redirect(reverse("conversation", args=[pk]) + f"#message-{message.pk}")


@login_required
def add_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add people to a group conversation: the same one form as starting one, without
    JavaScript ("Find" posts it back with the people found as choices, those already
    ticked kept; "Add" adds them)."""
    seat = _seat(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    to = data.getlist("to")
    find = data.get("find", "")
    context: dict[str, Any] = {
        "seat": seat,
        "conversation": seat.conversation,
        "people": selectors.people_in(seat),
        "chosen": [],
        "found": [],
        "find": find,
        "errors": [],
        "may_add": (may_add := actions.may_add(seat)).allowed,
        "add_reasons": reasons_text(may_add),
        **LIMITS,
    }
    named = rules.check_named(len(to))  # before anyone is looked up, as on the new page
    if not named:
        context["errors"] = reasons_text(named)
        return render(request, "conversations/add.html", context, status=400)
    chosen, _unknown = by_public_ids(to)
    inside = {p.person_id for p in context["people"]}
    context["chosen"] = chosen
    context["found"] = [
        p for p in find_people(find, exclude=request.user) if p not in chosen and p.pk not in inside
    ]
    if request.method == "POST" and request.POST.get("action") == "add":
        try:
            added = actions.check_add_people(seat, to=to)
        except Refused as refused:
            context["errors"] = refused.messages
            return render(request, "conversations/add.html", context, status=400)
        messages.success(
            request,
            _(
                "You added %(people)s. They read what is written from now on, not what was "
                "written before."
            )
            % {"people": ", ".join(str(p) for p in added)},
        )
        return redirect("conversation", pk)
    return render(request, "conversations/add.html", context)


@login_required
@require_POST
def leave(request: AuthedRequest, pk: int) -> HttpResponse:
    seat = _seat(request, pk)
    try:
        actions.check_leave(seat)
    except Refused as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("conversation", pk)
    messages.success(request, _("You left the conversation. What was written stays."))
    return redirect("conversations")


@login_required
@require_POST
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        message = reports.access_message(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such message.")) from missing
    try:
        reports.check_report(request.user, message, request.POST.get("reason", ""))
    except Refused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _(
                "Reported. The platform's staff will read it; its author is not told who reported it."
            ),
        )
    # Back to the page of the conversation the message was on (an earlier one, perhaps).
    before = _message_id(request.POST.get("before"))
    query = f"?before={before}" if before is not None else ""
    return redirect(
        reverse("conversation", args=[message.conversation_id]) + f"{query}#message-{pk}"
    )


@login_required
def blocks_page(request: AuthedRequest) -> HttpResponse:
    find = request.GET.get("find", "")
    mine = blocks.blocks_of(request.user)
    blocked = {b.blocked_id for b in mine}
    return render(
        request,
        "conversations/blocks.html",
        {
            "blocks": mine,
            "find": find,
            "found": [p for p in find_people(find, exclude=request.user) if p.pk not in blocked],
        },
    )


def _back(request: AuthedRequest) -> HttpResponse:
    """Back to the conversation the button was in, else to the list of blocks. Only a
    conversation's own path is followed: never an address taken from the form."""
    back = request.POST.get("conversation", "")
    # isdigit() alone accepts "²", which int() refuses: ASCII digits only.
    if back.isascii() and back.isdecimal():
        return redirect("conversation", int(back))
    return redirect("conversation-blocks")


@login_required
@require_POST
def block(request: AuthedRequest) -> HttpResponse:
    try:
        done = blocks.check_block(request.user, request.POST.get("person", ""))
    except Refused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _(
                "You block %(person)s: they cannot write to you alone, and you no longer see "
                "what they write in groups. They are not told now, but if they try to write "
                "to you they learn that you do not take their messages."
            )
            % {"person": done.blocked},
        )
    return _back(request)


@login_required
@require_POST
def unblock(request: AuthedRequest, person: str) -> HttpResponse:
    try:
        blocks.check_unblock(request.user, person)
    except NotFound as missing:
        raise Http404(_("You do not block this person.")) from missing
    messages.success(request, _("Unblocked."))
    return _back(request)


@login_required
def reports_page(request: AuthedRequest) -> HttpResponse:
    staff = reports.check_staff(request.user)
    if not staff:
        return _refused(request, Refused(staff))
    seen(request, kind=reports.KIND)
    return render(
        request, "conversations/reports.html", {"reports": reports.open_reports(request.user)}
    )


def _review(request: AuthedRequest, pk: int, hide: bool) -> HttpResponse:
    try:
        found = reports.access_report(request.user, pk)
    except Refused as refused:
        return _refused(request, refused)
    except NotFound as missing:
        raise Http404(_("No such report waits.")) from missing
    if hide:
        reports.do_hide(staff=request.user, report=found)
        messages.success(request, _("The message is hidden. Nothing was deleted."))
    else:
        reports.do_dismiss(staff=request.user, report=found)
        messages.success(request, _("The report is dismissed; the message stays as it was."))
    return redirect("conversation-reports")


@login_required
@require_POST
def hide(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, pk, hide=True)


@login_required
@require_POST
def dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review(request, pk, hide=False)
