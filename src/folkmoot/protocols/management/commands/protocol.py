"""`folkmoot protocol check FILE` and `folkmoot protocol render FILE|PRESET`."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from folkmoot.governance.presets import PRESETS, preset_text
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.protocols.texts import protocol_markdown


class Command(BaseCommand):
    # Reads a file and prints; the project's system checks add only start-up time here.
    requires_system_checks: list[str] = []
    help = "Check a protocol document, or render one (a file or a preset) as text or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="validate a protocol document (exit 2 if invalid)")
        check.add_argument("file")
        check.add_argument("--lang", choices=["en", "es", "fr", "ja"], default="en")
        render = sub.add_parser("render", help="print a protocol as Markdown or as validated JSON")
        render.add_argument("source", help=f"a YAML file or a preset: {', '.join(PRESETS)}")
        render.add_argument("--lang", choices=["en", "es", "fr", "ja"], default="en")
        render.add_argument("--format", choices=["md", "json"], default="md")

    def _read(self, source: str) -> str:
        if source in PRESETS and not Path(source).exists():
            return preset_text(source)
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as missing:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": source, "error": missing.strerror},
                returncode=2,
            ) from missing

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            source = options.get("file") or options["source"]
            text = self._read(source)
            try:
                protocol = load_protocol(text)
            except ProtocolInvalid as invalid:
                for problem in invalid.problems:
                    self.stderr.write(problem.render(_))
                self.stderr.write(
                    _("%(file)s is not a valid protocol: nothing was loaded.") % {"file": source}
                )
                sys.exit(2)
            if options["action"] == "check":
                self.stdout.write(
                    _("%(file)s is a valid protocol: %(title)s, version %(version)s.")
                    % {
                        "file": source,
                        "title": protocol.title.get(options["lang"]),
                        "version": protocol.version,
                    }
                )
                return
            if options["format"] == "json":
                self.stdout.write(
                    json.dumps(protocol.model_dump(mode="json"), ensure_ascii=False, indent=2)
                )
            else:
                self.stdout.write(protocol_markdown(protocol, options["lang"]), ending="")
