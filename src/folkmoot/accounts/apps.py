from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "folkmoot.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401 - connects the password receivers
            two_step,  # noqa: F401 - reads what sign-in owes at sign-in
        )
