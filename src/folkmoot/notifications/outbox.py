"""Emails in development, readable (issue 12): with no mail server configured, each email is
kept as a small JSON file in the data folder instead of printed as quoted-printable text
whose links break across lines. `/dev/outbox/` (DEBUG only) and `folkmoot outbox` show the
latest ones, decoded, with working links. Only the newest `KEEP` are kept."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

KEEP = 200


def folder() -> Path:
    return Path(settings.DATA_DIR) / "outbox"


def _text(message: EmailMessage) -> str:
    """The plain text a person reads (the HTML alternative, if any, is not needed here)."""
    return str(message.body)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        where = folder()
        where.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = f"{time.time_ns():020d}"
            record = {
                "at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                "from": message.from_email,
                "to": list(message.to),
                "subject": str(message.subject),
                "headers": {k: str(v) for k, v in (message.extra_headers or {}).items()},
                "body": _text(message),
            }
            (where / f"{stamp}-{sent}.json").write_text(json.dumps(record, ensure_ascii=False))
            sent += 1
        for old in sorted(where.glob("*.json"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return sent


def latest(count: int = 50) -> list[dict[str, Any]]:
    where = folder()
    if not where.is_dir():
        return []
    out = []
    for path in sorted(where.glob("*.json"), reverse=True)[:count]:
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # being written, or removed, at this moment
    return out
