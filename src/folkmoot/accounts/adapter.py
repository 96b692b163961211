"""Account emails name the site as people know it (issue 12): allauth would otherwise call it
by the address it was reached at ("Hello from 127.0.0.1:8101!")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class Site:
    name: str
    domain: str

    def __str__(self) -> str:
        return self.name


def this_site() -> Site:
    return Site(settings.SITE_NAME, urlsplit(settings.SITE_URL).netloc or settings.SITE_NAME)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": this_site()})

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"
