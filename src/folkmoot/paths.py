"""The addresses of many things of one kind on one page (a thread's posts, a forum's threads,
the votes waiting for a person), reversed once instead of once per thing (issue 11: reversals
were thousands per page). The address is reversed with an id no table holds, and each
thing's address is written by putting its own id in that place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

# An id no database row holds (the largest 32-bit key): it stands for each thing's own.
ANY_ID = 2_147_483_647


@dataclass(frozen=True)
class IdPath:
    head: str
    tail: str

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def id_path(name: str, *args: Any) -> IdPath:
    """`reverse(name, args=[*args, pk])` for any `pk`, as `IdPath(...)(pk)`. The id is the
    path's last number: an argument before it made of the same digits stays as it is."""
    head, _marker, tail = reverse(name, args=[*args, ANY_ID]).rpartition(f"/{ANY_ID}/")
    return IdPath(f"{head}/", f"/{tail}")
