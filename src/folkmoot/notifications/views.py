import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from folkmoot.http import AuthedRequest

from .kinds import CHANNEL_CHOICES, CHANNELS, DIGESTS, KINDS, Told, describe, with_context
from .mailing import read_unsubscribe_token
from .models import EmailPreference, Notification

PAGE = 100


def _path(name: str, arg: int | str, fallback: str) -> str:
    try:
        return reverse(name, args=[arg])
    except NoReverseMatch:
        return fallback


def listed(user: Any) -> list[tuple[Notification, Told]]:
    """The person's latest notifications with what each says, in their language."""
    rows = list(with_context(Notification.objects.mine(user))[:PAGE])
    return [(n, describe(n)) for n in rows]


@login_required
def notifications_page(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/list.html", {"rows": listed(request.user)})


@login_required
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Following a notification marks it read, then leads to what it is about."""
    n = get_object_or_404(with_context(Notification.objects.mine(request.user)), pk=pk)
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(describe(n).url)


@login_required
@require_POST
def mark_read(request: AuthedRequest) -> HttpResponse:
    Notification.objects.mine(request.user).filter(read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")


# Preferences: which notifications also come by email, and the personal calendar feed (BEY-5).


def preferences_of(user: Any) -> EmailPreference:
    """The stored row, or an unsaved one with the defaults (no row: the defaults)."""
    try:
        return EmailPreference.objects.get(user=user)
    except EmailPreference.DoesNotExist:
        return EmailPreference(user=user)


def do_set_preferences(
    *, user: Any, channels: dict[str, str] | None = None, digest: str | None = None
) -> EmailPreference:
    """Store the person's choices; unknown kinds or channels are refused before this."""
    with transaction.atomic():
        preference, _created = EmailPreference.objects.select_for_update().get_or_create(user=user)
        merged = dict(preference.channels or {})
        for kind, channel in (channels or {}).items():
            if kind in KINDS and channel in CHANNELS:
                merged[kind] = channel
        preference.channels = merged
        if digest in dict(DIGESTS):
            preference.digest = digest
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
    """One choice per kind of notification (site, email, digest, off), and the digest's
    rhythm."""

    digest = forms.ChoiceField(label=gettext_lazy("My digest comes"), choices=DIGESTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in KINDS.values():
            self.fields[kind.key] = forms.ChoiceField(label=kind.label, choices=CHANNEL_CHOICES)

    def groups(self) -> list[tuple[str, list[Any]]]:
        out: dict[str, list[Any]] = {}
        for kind in KINDS.values():
            out.setdefault(str(kind.group), []).append(self[kind.key])
        return list(out.items())


def _initial(preference: EmailPreference) -> dict[str, str]:
    initial = {kind: preference.channel(kind) for kind in KINDS}
    initial["digest"] = preference.digest
    return initial


@login_required
def preferences_page(request: AuthedRequest) -> HttpResponse:
    preference = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            do_set_preferences(
                user=request.user,
                channels={k: data[k] for k in KINDS},
                digest=data["digest"],
            )
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notification-preferences")
        status = 400
    else:
        form = PreferencesForm(initial=_initial(preference))
        status = 200
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "calendar_url": calendar_url(preference)},
        status=status,
    )


@csrf_exempt  # RFC 8058: mail programs POST without a session; the signed token is the key
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link from an email stops that kind of email without signing in. Opening it
    asks for one click (mail scanners open links; they must not unsubscribe anyone); a mail
    program's one-click button POSTs directly (RFC 8058)."""
    found = read_unsubscribe_token(token)
    person = None
    if found is not None:
        person = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    if found is None or person is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kind = found[1]
    if request.method == "POST":
        do_unsubscribe(user=person, kind=kind)
        return render(
            request,
            "notifications/unsubscribe.html",
            {"done": True, "kind": kind, "label": _label(kind)},
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind": kind, "label": _label(kind), "token": token},
    )


def _label(kind: str) -> str:
    return str(KINDS[kind].label) if kind in KINDS else _("Your digest email")


def do_unsubscribe(*, user: Any, kind: str) -> EmailPreference:
    """A kind stops coming by email (it stays on the site); "digest": every kind that came in
    the digest stays on the site only."""
    preference = preferences_of(user)
    if kind == "digest":
        kinds = [k for k in KINDS if preference.channel(k) == "digest"]
    else:
        kinds = [kind] if preference.channel(kind) in ("email", "digest") else []
    return do_set_preferences(user=user, channels=dict.fromkeys(kinds, "site"))


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


def outbox_page(request: HttpRequest) -> HttpResponse:
    """Development only: the emails kept instead of sent (notifications.outbox)."""
    from django.http import Http404

    from .outbox import latest

    if not settings.DEBUG:
        raise Http404
    return render(request, "notifications/outbox.html", {"emails": latest()})
