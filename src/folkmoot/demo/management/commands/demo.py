from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from folkmoot.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo federation (idempotent: running it twice changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        people = load_demo()
        self.stdout.write(self.style.SUCCESS(_("Demo federation loaded.")))
        self.stdout.write(
            _("Demo people (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for person in people:
            self.stdout.write(f"  {person.email:<26} {person.name:<16} {person.role}")
