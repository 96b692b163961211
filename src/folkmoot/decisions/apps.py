from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "folkmoot.decisions"
    label = "decisions"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        from folkmoot.offices import tenures

        from . import settle

        # Reading an office's holders first seats the winners of a closed election, which
        # takes counting its vote; tenures sit below the count and do not import it, so the
        # count is handed down here (offices/tenures.py).
        tenures.settle_elections_with(settle.settle_vote)
