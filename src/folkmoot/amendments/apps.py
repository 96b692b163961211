from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmendmentsConfig(AppConfig):
    name = "folkmoot.amendments"
    label = "amendments"
    verbose_name = _("Amendments to proposals' texts")
