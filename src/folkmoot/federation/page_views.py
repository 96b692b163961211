"""A federation's own pages (issue 13): read in the reader's language (or the original with
a note), shared by a plain link or the browser's own share sheet (no third-party script),
written by the federation's secretaries; the privacy notices and terms of every federation
are gathered at /privacy/, linked from the footer and the sign-up form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from folkmoot.audit.log import record
from folkmoot.http import Request
from folkmoot.protocols.texts import markdown_to_html

from .actions import may_edit_texts
from .forms import PageForm
from .models import Assembly, FederationPage
from .views import assembly_or_404


def _federation(request: Request, slug: str) -> Assembly:
    federation = assembly_or_404(request, slug)
    if not federation.is_root:
        raise Http404(_("Only a federation has pages."))
    return federation


def page(request: Request, slug: str, page_slug: str) -> HttpResponse:
    federation = _federation(request, slug)
    found = FederationPage.objects.filter(federation=federation, slug=page_slug).first()
    if found is None:
        raise Http404(_("No such page."))
    texts = found.in_language(get_language() or "en")
    return render(
        request,
        "federation/page.html",
        {
            "assembly": federation,
            "page": found,
            "texts": texts,
            "summary_html": markdown_to_html(texts["summary"]),
            "body_html": markdown_to_html(texts["body"]),
            "share_url": request.build_absolute_uri(found.get_absolute_url()),
            "may_edit": may_edit_texts(request.user, federation),
        },
    )


@login_required
def edit_page(request: Request, slug: str, page_slug: str | None = None) -> HttpResponse:
    federation = _federation(request, slug)
    if not may_edit_texts(request.user, federation):
        raise Http404(_("No such page."))
    instance = None
    if page_slug is not None:
        instance = FederationPage.objects.filter(federation=federation, slug=page_slug).first()
        if instance is None:
            raise Http404(_("No such page."))
    form = PageForm(request.POST or None, instance=instance, federation=federation)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_at, saved.updated_by = timezone.now(), request.user
        saved.save()
        record(
            "federation.page",
            actor=request.user,
            assembly=federation,
            subject=saved,
            slug=saved.slug,
        )
        messages.success(request, _("The page is saved."))
        return redirect(saved)
    return render(
        request,
        "federation/page_edit.html",
        {"assembly": federation, "form": form, "editing": instance},
        status=400 if form.errors else 200,
    )


def privacy(request: Request) -> HttpResponse:
    """Every federation's privacy notice and terms, for the footer and the sign-up form."""
    language = get_language() or "en"
    pages = (
        FederationPage.objects.filter(slug__in=FederationPage.SPECIAL)
        .filter(federation__in=Assembly.objects.visible_to(request.user))
        .select_related("federation")
        .order_by("federation__title", "slug")
    )
    return render(
        request,
        "federation/privacy.html",
        {"pages": [(p, p.in_language(language)) for p in pages]},
    )
