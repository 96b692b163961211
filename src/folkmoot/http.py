"""Request types for views, so mypy knows about `request.htmx` and signed-in users."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from folkmoot.accounts.models import User


class Request(HttpRequest):
    htmx: HtmxDetails


class AuthedRequest(Request):
    """A request that passed `login_required`."""

    user: User
