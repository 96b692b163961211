"""The `folkmoot` command: Django's management commands under one name (issue 2).

`folkmoot migrate`, `folkmoot demo`, `folkmoot runserver` … Settings default to the
development ones; set DJANGO_SETTINGS_MODULE for production.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folkmoot.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["folkmoot", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
