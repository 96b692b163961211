from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.federation.selectors import my_memberships
from folkmoot.http import AuthedRequest
from folkmoot.refusals import NotFound

from . import actions
from .forms import ApiTokenForm, ProfileForm
from .personal_data import do_erase_account, export_of

REVOKED_SHOWN = 10


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_update_profile(
            user=request.user, changes={f: form.cleaned_data[f] for f in form.changed_data}
        )
        if "language" in form.changed_data:
            request.session.pop("folkmoot_language", None)
            translation.activate(request.user.language or translation.get_language())
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": my_memberships(request.user)},
    )


@login_required
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.do_create_api_token(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    tokens = request.user.api_tokens.active()
    # The latest few revoked ones, so a person whose password changed sees why a program
    # stopped working (issue 10).
    revoked = request.user.api_tokens.revoked()[:REVOKED_SHOWN]
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "revoked": revoked, "new_token": new_token},
    )


@login_required
@require_POST
def api_token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        token = actions.access_api_token(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such token.")) from missing
    actions.do_revoke_api_token(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("api-tokens")


@login_required
def my_data(request: AuthedRequest) -> HttpResponse:
    """Issue 13: everything kept about me, as a JSON file."""
    response = JsonResponse(export_of(request.user), json_dumps_params={"indent": 2})
    name = f"folkmoot-{request.user.public_id}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request: AuthedRequest) -> HttpResponse:
    """Issue 13: the person deletes their account, after typing their password."""
    problems: list[str] = []
    if request.method == "POST":
        if not request.user.check_password(request.POST.get("password", "")):
            problems.append(_("That is not your password: nothing was deleted."))
        elif request.POST.get("understood") != "yes":
            problems.append(_("Tick the box to say you understand what deleting does."))
        else:
            do_erase_account(user=request.user)
            logout(request)
            messages.success(
                request,
                _("Your account is deleted. What you wrote stays, signed by a former member."),
            )
            return redirect("/")
    return render(
        request, "accounts/delete.html", {"problems": problems}, status=400 if problems else 200
    )
