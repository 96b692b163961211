from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealedConfig(AppConfig):
    name = "folkmoot.sealed"
    label = "sealed"
    verbose_name = _("Sealed ballots")
