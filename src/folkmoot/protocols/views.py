from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from folkmoot.federation.selectors import ancestors_of
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.protocol import ProtocolInvalid
from folkmoot.http import Request
from folkmoot.refusals import Refused

from . import actions, selectors
from .facts import viewer_for
from .forms import AdoptForm
from .texts import (
    forum_permissions,
    markdown_to_html,
    problems_text,
    protocol_markdown,
    unified_diff,
)


def protocol_page(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    ancestors = ancestors_of(assembly)
    in_force = selectors.protocol_in_force(assembly, ancestors=ancestors)
    if in_force is None:
        return render(
            request,
            "protocols/none.html",
            {"assembly": assembly, "ancestors": ancestors},
            status=200,
        )
    if request.GET.get("format") == "yaml":
        return HttpResponse(
            in_force.version.document, content_type="application/yaml; charset=utf-8"
        )
    text = protocol_markdown(in_force.protocol)
    if request.GET.get("format") == "md":
        return HttpResponse(text, content_type="text/markdown; charset=utf-8")
    return render(
        request,
        "protocols/page.html",
        {
            "assembly": assembly,
            "ancestors": ancestors,
            "in_force": in_force,
            "inherited": in_force.inherited_for(assembly),
            "html": markdown_to_html(text),
            "may_adopt": actions.may_adopt_directly(request.user),
            "my_forums": forum_permissions(in_force.protocol, viewer_for(request.user, assembly)),
        },
    )


def protocol_versions(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    versions = selectors.versions_of(assembly)
    return render(request, "protocols/versions.html", {"assembly": assembly, "versions": versions})


def protocol_version(request: Request, slug: str, number: int) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    version = assembly.protocol_versions.filter(number=number).select_related("adopted_by").first()
    if version is None:
        raise Http404(_("No such version."))
    return render(
        request,
        "protocols/version.html",
        {
            "assembly": assembly,
            "version": version,
            "html": markdown_to_html(
                protocol_markdown(selectors.protocol_of_version(version.pk, version.document))
            ),
        },
    )


def protocol_diff(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    versions = {v.number: v for v in selectors.versions_of(assembly)}
    try:
        old, new = (
            versions[int(request.GET.get("from", ""))],
            versions[int(request.GET.get("to", ""))],
        )
    except (KeyError, ValueError) as missing:
        raise Http404(_("Choose two versions of this assembly's protocol.")) from missing
    lines = unified_diff(old.document, new.document, f"v{old.number}", f"v{new.number}")
    return render(
        request,
        "protocols/diff.html",
        {
            "assembly": assembly,
            "old": old,
            "new": new,
            "lines": lines,
            "versions": sorted(versions),
        },
    )


@login_required
def protocol_adopt(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    if not actions.may_adopt_directly(request.user):
        raise Http404(_("No such page."))
    in_force = selectors.protocol_in_force(assembly)
    form = AdoptForm(
        request.POST or None, initial={"document": in_force.version.document if in_force else ""}
    )
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.check_adopt_protocol_version(
                request.user,
                assembly,
                form.cleaned_data["document"],
                decision_reference=form.cleaned_data["decision_reference"],
                note=form.cleaned_data["note"],
            )
        except ProtocolInvalid as invalid:
            problems = problems_text(invalid)
        except Refused as refused:
            for text in refused.messages:
                messages.error(request, text)
        else:
            messages.success(
                request, _("Version %(number)s is now in force.") % {"number": version.number}
            )
            return redirect("protocol", assembly.slug)
    return render(
        request, "protocols/adopt.html", {"assembly": assembly, "form": form, "problems": problems}
    )
