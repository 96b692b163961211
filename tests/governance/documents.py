"""A small valid protocol, built as data so each test can break one thing at a time."""

import copy
from typing import Any

import yaml

BASE: dict[str, Any] = {
    "protocol": "tiny",
    "version": "1",
    "title": {
        "en": "Tiny protocol",
        "es": "Protocolo mínimo",
        "fr": "Protocole minimal",
        "ja": "最小のプロトコル",
    },
    "timezone": "Europe/Madrid",
    "offices": {
        "coordinator": {
            "name": {"en": "Coordinator", "es": "Coordinador"},
            "plural": {"en": "coordinators", "es": "coordinadores"},
            "seats": 5,
            "term_days": 28,
            "election": {
                "every_days": 28,
                "opens_on": "monday",
                "opens_at": "00:00",
                "duration_hours": 48,
                "anchor": "2026-01-05",
            },
            "powers": ["moderate", "launch_votes"],
        }
    },
    "forums": {
        "announcements": {
            "name": {"en": "Announcements", "es": "Comunicados"},
            "read": "citizen",
            "open_thread": "office:coordinator",
            "reply": "office:coordinator",
            "discussion": False,
            "tags": ["[OFICIAL]", "[COM]"],
            "tag_required": True,
        }
    },
    "decision_kinds": {
        "referendum": {
            "name": {"en": "Referendum", "es": "Referéndum"},
            "binding": True,
            "proposers": "citizen",
            "voters": "citizen",
            "secret": True,
            "voting": {"min_days": 3, "max_days": 7, "default_days": 7},
            "launched_by": "office:coordinator",
        }
    },
    "amendments": {
        "total": {
            "decision_kind": "referendum",
            "office_approval": {"office": "coordinator", "rule": "absolute_majority"},
            "vote": "half_plus_one_of_voters",
        },
        "partial": {
            "decision_kind": "referendum",
            "office_approval": {"office": "coordinator", "count": 3},
            "vote": "simple_majority",
        },
    },
}


def document(**changes: Any) -> dict[str, Any]:
    """BASE with dotted-path changes: document(**{"offices.coordinator.seats": 0})."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return data


def as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


DELETE = object()
