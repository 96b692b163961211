"""allauth tells us when a password is changed, set or reset; the action does the rest."""

from typing import Any

from allauth.account.signals import (
    email_confirmed,
    password_changed,
    password_reset,
    password_set,
)
from django.contrib import messages
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .actions import do_secure_after_password_change


def _secure(request: HttpRequest | None, user: Any, how: str) -> None:
    revoked = do_secure_after_password_change(user=user, how=how)
    if request is None or not hasattr(request, "_messages"):
        return
    text = _("You are now signed out on every other device.")
    if revoked:
        text += " " + ngettext(
            "Your API token was revoked: make a new one for your programs.",
            "Your %(count)s API tokens were revoked: make new ones for your programs.",
            revoked,
        ) % {"count": revoked}
    messages.info(request, text)


@receiver(password_changed)
def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _secure(request, user, "change")


@receiver(password_set)
def on_password_set(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _secure(request, user, "set")


@receiver(password_reset)
def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _secure(request, user, "reset")


@receiver(email_confirmed)
def on_email_confirmed(
    sender: Any, request: HttpRequest | None, email_address: Any, **kwargs: Any
) -> None:
    """An address proved: any member roll that invited it takes effect (issue 13)."""
    from folkmoot.federation.invitations import accept_invitations

    joined = accept_invitations(email_address.user, email_address.email)
    if joined and request is not None and hasattr(request, "_messages"):
        messages.success(request, _("Welcome: you are a member, as your federation's roll says."))
