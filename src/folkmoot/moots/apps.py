from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MootsConfig(AppConfig):
    name = "folkmoot.moots"
    label = "moots"
    verbose_name = _("Moots")
