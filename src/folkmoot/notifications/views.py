import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from folkmoot.http import AuthedRequest

from .models import EmailPreference

# The email preferences, in the order they are offered.
PREFERENCES = ("vote_opened", "vote_closing", "result", "election", "withdrawn", "mention")


def _path(name: str, arg: int | str, fallback: str) -> str:
    try:
        return reverse(name, args=[arg])
    except NoReverseMatch:
        return fallback


@login_required
def notifications_page(request: AuthedRequest) -> HttpResponse:
    rows = list(
        request.user.notifications.select_related(
            "actor", "post", "post__thread", "post__thread__assembly", "vote", "proposal"
        )[:100]
    )
    for n in rows:
        if n.vote_id:
            n.link = _path("vote", n.vote_id, f"/votes/{n.vote_id}/")  # type: ignore[attr-defined]
        elif n.proposal_id:
            n.link = _path("proposal", n.proposal_id, f"/decisions/{n.proposal_id}/")  # type: ignore[attr-defined]
    return render(request, "notifications/list.html", {"rows": rows})


@login_required
@require_POST
def mark_read(request: AuthedRequest) -> HttpResponse:
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


# Preferences: which notifications also come by email, and the personal calendar feed (BEY-5).


def preferences_of(user: Any) -> EmailPreference:
    """The stored row, or an unsaved one with the defaults (no row: the defaults)."""
    try:
        return EmailPreference.objects.get(user=user)
    except EmailPreference.DoesNotExist:
        return EmailPreference(user=user)


def do_set_preferences(*, user: Any, changes: dict[str, bool]) -> EmailPreference:
    with transaction.atomic():
        preference, _created = EmailPreference.objects.select_for_update().get_or_create(user=user)
        for name, value in changes.items():
            if name in PREFERENCES:
                setattr(preference, name, bool(value))
        preference.save()
    return preference


def do_new_feed_key(*, user: Any) -> EmailPreference:
    """A new secret for the calendar address; the old address stops working."""
    with transaction.atomic():
        preference, _created = EmailPreference.objects.select_for_update().get_or_create(user=user)
        preference.feed_key = secrets.token_urlsafe(16)[:32]
        preference.save(update_fields=["feed_key"])
    return preference


def do_stop_feed(*, user: Any) -> None:
    EmailPreference.objects.filter(user=user).update(feed_key=None)


def calendar_url(preference: EmailPreference) -> str | None:
    if not preference.feed_key:
        return None
    key = preference.feed_key
    return settings.SITE_URL + _path("person-ics", key, f"/me/calendar/{key}.ics")


class PreferencesForm(forms.Form):
    vote_opened = forms.BooleanField(
        label=gettext_lazy("A vote I may take part in opens"), required=False
    )
    vote_closing = forms.BooleanField(
        label=gettext_lazy("A vote I have not voted in yet closes within 24 hours"),
        required=False,
    )
    result = forms.BooleanField(
        label=gettext_lazy("The result of a vote I could take part in is published"),
        required=False,
    )
    election = forms.BooleanField(
        label=gettext_lazy("An election I may vote in opens"), required=False
    )
    withdrawn = forms.BooleanField(
        label=gettext_lazy("A proposal of mine is withdrawn"), required=False
    )
    mention = forms.BooleanField(label=gettext_lazy("Someone mentions me"), required=False)


@login_required
def preferences_page(request: AuthedRequest) -> HttpResponse:
    preference = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            do_set_preferences(user=request.user, changes=form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notification-preferences")
    else:
        form = PreferencesForm(initial={name: getattr(preference, name) for name in PREFERENCES})
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "calendar_url": calendar_url(preference)},
    )


@login_required
@require_POST
def calendar_key(request: AuthedRequest) -> HttpResponse:
    if request.POST.get("action") == "stop":
        do_stop_feed(user=request.user)
        messages.success(request, _("Your calendar address no longer works."))
    else:
        do_new_feed_key(user=request.user)
        messages.success(
            request,
            _("Your calendar has a new address. Any address you used before no longer works."),
        )
    return redirect("notification-preferences")
