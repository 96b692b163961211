"""Hot queries compiled from the ORM once per process, then re-run with new values (issue 11).

Building and compiling a queryset with a visibility subquery and two EXISTS annotations
costs more than a millisecond of Python on every request, several times what PostgreSQL
takes to run it. The SQL of such a query is the same for every person and every vote; only
its values change. A `Statement` builds the queryset once with stand-in values ("slots"),
keeps the SQL and the positions of the stand-ins among its parameters, and afterwards runs
that SQL with the real values through `raw()`, which still converts every column as the
field says (JSON, dates). The ORM stays the one definition of the rule: the statement is
the queryset's own SQL, never a hand-written copy of it.

What cannot be kept is refused when the statement is compiled: it is compiled twice, with
other stand-ins and a moment later, and any parameter but the slots that differs (a query
that reads the clock would keep the first request's time) or is a moment fails loudly;
so does `select_related` (`raw()` fills one model)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models

# Stand-ins nobody's data holds: negative keys and a marked string.
_INT_SLOT_BASE = -7_300_000_000_000_000
_STR_SLOT = "\x00folkmoot-slot-{}\x00"


# A moment is refused even when both compilations happened to read the same one; a duration
# (a constant such as "a minute") is not a moment.
_MOMENTS = (datetime.date, datetime.time)


def _stand_in(kind: type, index: int) -> Any:
    return _INT_SLOT_BASE - index if kind is int else _STR_SLOT.format(index)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    where: list[str | None]  # the slot each parameter stands for, None for a constant
    converters: dict[str, tuple[Any, list[Any]]]


class Statement[M: models.Model]:
    """`Statement(Vote, build, person=int, vote=int)`: `build(person=…, vote=…)` returns the
    queryset (called once per variant with stand-ins); `run(variant, person=7, vote=3)`
    returns its rows as model instances, annotations as attributes. `variant` names the
    branches of `build` that change the SQL's shape (e.g. staff or not)."""

    def __init__(
        self, model: type[M], build: Callable[..., models.QuerySet[M]], **slots: type
    ) -> None:
        if any(kind not in (int, str) for kind in slots.values()):
            raise ImproperlyConfigured("A statement's slots are int or str.")
        self.model = model
        self.build = build
        self.slots = slots
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}

    def _compile(self, alias: str, variant: Hashable) -> _Compiled:
        # Compiled twice, with other stand-ins and a moment later: anything but the slots
        # that differs (the clock, a random value) would be kept wrongly, and is refused.
        first, queryset = self._sql(alias, variant, 0)
        time.sleep(0.002)
        second, _ = self._sql(alias, variant, len(self.slots))
        (sql, params, where), (sql_again, params_again, where_again) = first, second
        if sql != sql_again or where != where_again:
            raise ImproperlyConfigured("A statement's SQL must not depend on its values.")
        # A pattern lookup escapes its value (`%`, `_`) when compiled: a string slot bound
        # later would not be, so a statement with a string slot takes exact comparisons only.
        if str in self.slots.values() and any(w in sql.upper() for w in (" LIKE ", " GLOB ")):
            raise ImproperlyConfigured("A string slot compares exactly: no LIKE or GLOB.")
        for param, again, name in zip(params, params_again, where, strict=True):
            if name is None and (param != again or isinstance(param, _MOMENTS)):
                raise ImproperlyConfigured(
                    "A statement cannot keep a moment or anything else that changes: "
                    f"pass it as a slot ({param!r})."
                )
        # raw() converts the model's columns, not the annotations: their converters (a
        # boolean from SQLite's 0/1, an aware moment from its text) are applied here.
        connection = connections[alias]
        converters = {}
        for name, expression in queryset.query.annotation_select.items():
            found = connection.ops.get_db_converters(expression)
            found += expression.get_db_converters(connection)
            if found:
                converters[name] = (expression, found)
        return _Compiled(sql, params, where, converters)

    def _sql(
        self, alias: str, variant: Hashable, offset: int
    ) -> tuple[tuple[str, list[Any], list[str | None]], models.QuerySet[M]]:
        stand_ins = {
            name: _stand_in(kind, offset + i) for i, (name, kind) in enumerate(self.slots.items())
        }
        queryset = self.build(variant, **stand_ins)
        if queryset.query.select_related:
            raise ImproperlyConfigured("A statement fills one model: no select_related.")
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        by_value = {value: name for name, value in stand_ins.items()}
        where = [by_value.get(p) if isinstance(p, int | str) else None for p in params]
        return (sql, list(params), where), queryset

    def run(
        self, variant: Hashable = None, *, using: str = DEFAULT_DB_ALIAS, **values: Any
    ) -> list[M]:
        if values.keys() != self.slots.keys():
            raise TypeError(f"values for {sorted(self.slots)} expected, got {sorted(values)}")
        key = (connections[using].vendor + ":" + using, variant)
        compiled = self._compiled.get(key)
        if compiled is None:
            # Two threads may compile the same variant at once: the results are equal.
            compiled = self._compiled[key] = self._compile(using, variant)
        bound = [
            param if name is None else values[name]
            for param, name in zip(compiled.params, compiled.where, strict=True)
        ]
        rows = list(self.model._default_manager.db_manager(using).raw(compiled.sql, bound))
        connection = connections[using]
        for row in rows:
            for name, (expression, converters) in compiled.converters.items():
                value = getattr(row, name)
                for convert in converters:
                    value = convert(value, expression, connection)
                setattr(row, name, value)
        return rows
