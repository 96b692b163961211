from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo federation (`folkmoot demo`): it reaches into every room of the house, so it
    lives at the top, on its own, instead of inside `federation/` (issue 15, "the house")."""

    name = "folkmoot.demo"
    label = "demo"
    verbose_name = _("Demo federation")
