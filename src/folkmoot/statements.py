"""Hot queries compiled from the ORM once per process, then re-run with new values (issue 11).

Building and compiling a queryset with a visibility subquery and two EXISTS annotations
costs more than a millisecond of Python on every request, several times what PostgreSQL
takes to run it. The SQL of such a query is the same for every person and every vote; only
its values change. A `Statement` builds the queryset once with stand-in values ("slots"),
keeps its compiler (the SQL, the positions of the stand-ins among its parameters, and what
the compiler worked out to turn rows into objects: the columns, the related models of
`select_related`, the annotations) and afterwards runs that SQL with the real values through
the queryset's own iterable, which converts every column as its field or expression says
(JSON, dates, SQLite's 0/1 booleans) and fills related models. The ORM stays the one
definition of the rule: the statement is the queryset's own SQL, never a hand-written copy.

What cannot be kept is refused when the statement is compiled: it is compiled twice, with
other stand-ins and a moment later, and any parameter but the slots that differs (a query
that reads the clock would keep the first request's time) or is a moment fails loudly, as
does a pattern lookup (LIKE) with a string slot, whose value would not be escaped."""

from __future__ import annotations

import copy
import datetime
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.sql.compiler import SQLCompiler

# Stand-ins nobody's data holds: negative keys and a marked string.
_INT_SLOT_BASE = -7_300_000_000_000_000
_STR_SLOT = "\x00folkmoot-slot-{}\x00"


# A moment is refused even when both compilations happened to read the same one; a duration
# (a constant such as "a minute") is not a moment.
_MOMENTS = (datetime.date, datetime.time)
# The keys a 64-bit integer column holds.
_MIN_KEY, _MAX_KEY = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Ids:
    """A slot for up to `capacity` keys, as in `pk__in=…`: the SQL keeps `capacity`
    parameters, and a shorter list is padded with its own first key, which changes nothing
    in an IN list. An empty or longer list is refused: the caller reads it another way."""

    capacity: int


def _stand_in(kind: type | Ids, index: int) -> Any:
    if isinstance(kind, Ids):
        return [_INT_SLOT_BASE - 1_000_000 - index * 10_000 - i for i in range(kind.capacity)]
    return _INT_SLOT_BASE - index if kind is int else _STR_SLOT.format(index)


# Identity for eq and hash: the converters kept per connection are keyed by the compiled
# statement itself (weakly), never by id(), which a later statement may reuse once this one
# is gone (statements made and dropped, as in tests, found another's converters).
@dataclass(frozen=True, eq=False)
class _Compiled:
    queryset: models.QuerySet[Any]  # built with stand-ins: its model, iterable and fields
    compiler: SQLCompiler  # set up once: its columns, related models and annotations
    sql: str
    params: list[Any]
    # The slot each parameter stands for (and its place in an Ids slot, -1 for one value),
    # None for a constant.
    where: list[tuple[str, int] | None]


class Statement[M: models.Model]:
    """`Statement(Vote, build, person=int, vote=int)`: `build(variant, person=…, vote=…)`
    returns the queryset (called once per variant with stand-ins); `run(variant, person=7,
    vote=3)` returns what iterating it returns: model instances with their annotations and
    `select_related` models, or the tuples of `values_list`. `variant` names the branches of
    `build` that change the SQL's shape (e.g. staff or not)."""

    def __init__(
        self, model: type[M], build: Callable[..., models.QuerySet[Any]], **slots: type | Ids
    ) -> None:
        if any(kind not in (int, str) and not isinstance(kind, Ids) for kind in slots.values()):
            raise ImproperlyConfigured("A statement's slots are int, str or Ids.")
        self.model = model
        self.build = build
        self.slots = slots
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}

    def _compile(self, alias: str, variant: Hashable) -> _Compiled:
        # Compiled twice, with other stand-ins and a moment later: anything but the slots
        # that differs (the clock, a random value) would be kept wrongly, and is refused.
        first = self._sql(alias, variant, 0)
        time.sleep(0.002)
        second = self._sql(alias, variant, len(self.slots))
        if first.sql != second.sql or first.where != second.where:
            raise ImproperlyConfigured("A statement's SQL must not depend on its values.")
        if first.queryset.model is not self.model:
            raise ImproperlyConfigured("A statement's queryset reads its own model.")
        # A pattern lookup escapes its value (`%`, `_`) when compiled: a string slot bound
        # later would not be, so a statement with a string slot takes exact comparisons only.
        sql = first.sql.upper()
        if str in self.slots.values() and any(w in sql for w in (" LIKE ", " GLOB ")):
            raise ImproperlyConfigured("A string slot compares exactly: no LIKE or GLOB.")
        for param, again, name in zip(first.params, second.params, first.where, strict=True):
            if name is None and (param != again or isinstance(param, _MOMENTS)):
                raise ImproperlyConfigured(
                    "A statement cannot keep a moment or anything else that changes: "
                    f"pass it as a slot ({param!r})."
                )
        return first

    def _sql(self, alias: str, variant: Hashable, offset: int) -> _Compiled:
        stand_ins = {
            name: _stand_in(kind, offset + i) for i, (name, kind) in enumerate(self.slots.items())
        }
        queryset = self.build(variant, **stand_ins).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        by_value: dict[Any, tuple[str, int]] = {}
        for name, value in stand_ins.items():
            if isinstance(value, list):
                by_value.update({key: (name, i) for i, key in enumerate(value)})
            else:
                by_value[value] = (name, -1)
        where = [by_value.get(p) if isinstance(p, int | str) else None for p in params]
        return _Compiled(queryset, compiler, sql, list(params), where)

    def run(
        self, variant: Hashable = None, *, using: str = DEFAULT_DB_ALIAS, **values: Any
    ) -> list[Any]:
        if values.keys() != self.slots.keys():
            raise TypeError(f"values for {sorted(self.slots)} expected, got {sorted(values)}")
        connection = connections[using]
        key = (connection.vendor + ":" + using, variant)
        compiled = self._compiled.get(key)
        if compiled is None:
            # Two threads may compile the same variant at once: the results are equal.
            compiled = self._compiled[key] = self._compile(using, variant)
        for name, kind in self.slots.items():
            if isinstance(kind, Ids) and not 0 < len(values[name]) <= kind.capacity:
                raise ValueError(f"{name}: 1 to {kind.capacity} keys, not {len(values[name])}")
            keys = values[name] if isinstance(kind, Ids) else [values[name]]
            if kind is not str and any(not _MIN_KEY <= key <= _MAX_KEY for key in keys):
                # No row holds a key past a 64-bit column (a URL may name one): the ORM
                # finds nothing there, and SQLite would refuse to bind it.
                return []
        bound = tuple(
            param if slot is None else _bind(values[slot[0]], slot[1])
            for param, slot in zip(compiled.params, compiled.where, strict=True)
        )
        # A copy of the kept compiler answers this run: it keeps what it worked out and
        # hands over the kept SQL with this run's values, on this thread's connection.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *_args, **_kwargs: (compiled.sql, bound)  # type: ignore[method-assign]
        # The columns' converters, worked out once per connection (asking each column's
        # field and expression on every run cost as much as the rest), kept on the
        # connection so that they go with it (a thread's connection, under ASGI a request's).
        kept = connection.__dict__.setdefault(
            "_folkmoot_statement_converters", weakref.WeakKeyDictionary()
        )
        converters = kept.get(compiled)
        if converters is None:
            converters = kept[compiled] = _converters(compiler)
        # results_iter asks for the converters of the select list: always the same columns.
        compiler.get_converters = lambda _expressions: converters  # type: ignore[method-assign,assignment]
        queryset = compiled.queryset.all()
        queryset.query.get_compiler = lambda *_args, **_kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)


def _bind(value: Any, place: int) -> Any:
    if place < 0:
        return value
    return value[place] if place < len(value) else value[0]


def _converters(compiler: SQLCompiler) -> Any:
    columns = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
    return compiler.get_converters(columns)
