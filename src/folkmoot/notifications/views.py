from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from folkmoot.http import AuthedRequest


@login_required
def notifications_page(request: AuthedRequest) -> HttpResponse:
    rows = request.user.notifications.select_related(
        "actor", "post", "post__thread", "post__thread__assembly"
    )[:100]
    return render(request, "notifications/list.html", {"rows": rows})


@login_required
@require_POST
def mark_read(request: AuthedRequest) -> HttpResponse:
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
