from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from folkmoot.notifications.outbox import latest


class Command(BaseCommand):
    help = "Show the latest emails kept in development (no mail server configured)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-n", type=int, default=5, help="how many, newest first")

    def handle(self, *args: Any, **options: Any) -> None:
        emails = latest(max(1, options["n"]))
        if not emails:
            self.stdout.write(_("No emails yet."))
        for email in emails:
            self.stdout.write("=" * 72)
            self.stdout.write(f"{email['at']} UTC  {email['from']} → {', '.join(email['to'])}")
            self.stdout.write(email["subject"])
            self.stdout.write("")
            self.stdout.write(email["body"])
