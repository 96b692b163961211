"""Counts kept by the database itself, so that reading them costs the same at 500 and at
100,000 members (issue 11): how many members and participants an assembly has, how many
people are in a vote's electorate and how many have voted. A `COUNT(*)` over the rows grows
with them (10–22 ms at 100,000 members, bench/scale.py); a tally is a sum over a few rows.

A trigger on the counted table adds each row's part to a tally row when the row is written
and takes it away when it is changed or deleted, whatever writes it (an action, a bulk
insert, the admin, a migration), so no code path can forget. The tally of one key is spread
over `SHARDS` rows picked by the counted row's id: two ballots of a national vote committing
at once rarely wait for the same row. Readers sum the shards. (A statement that writes many
counted rows at once, such as a person leaving a federation and every assembly in it, or a
bulk import, takes several shards; two such at once may, rarely, wait for each other, and
PostgreSQL then aborts one, whose transaction changes nothing and can be tried again. A
single write, such as a ballot or a join, takes one shard.)

Deleting the thing counted (a vote, an assembly) removes its tally rows; a counted row
deleted after it adds nothing (its parent is gone), so no order of deletion leaves a stale
count behind. Migrations call `install` with the tallies as they were then; a later change
gets a migration of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SHARDS = 16


@dataclass(frozen=True)
class Tally:
    name: str  # of the trigger (and, on PostgreSQL, of its function)
    source: str  # the counted table
    key: str  # its column naming what is counted for (vote_id, assembly_id)
    target: str  # the tally table: (key, shard) unique, one column per count
    parent: str  # the table `key` refers to
    counts: dict[str, str]  # tally column → condition on a row, `{row}` for NEW or OLD
    watched: tuple[str, ...] = ()  # columns whose change can move a row between counts

    def _part(self, row: str, sign: int) -> str:
        return ", ".join(
            f"CASE WHEN {condition.format(row=row)} THEN {sign} ELSE 0 END"
            for condition in self.counts.values()
        )

    def _add(self, row: str, sign: int) -> str:
        """The row's part, added to (or taken from) its shard of the tally; nothing when its
        parent is gone. `WHERE true` tells SQLite's parser that ON CONFLICT is an upsert."""
        columns = ", ".join(self.counts)
        kept = ", ".join(f"{c} = {self.target}.{c} + excluded.{c}" for c in self.counts)
        return (
            f"INSERT INTO {self.target} ({self.key}, shard, {columns}) "
            f"SELECT {row}.{self.key}, {row}.id % {SHARDS}, {self._part(row, sign)} "
            f"WHERE EXISTS (SELECT 1 FROM {self.parent} WHERE id = {row}.{self.key}) "
            f"ON CONFLICT ({self.key}, shard) DO UPDATE SET {kept}"
        )

    def backfill(self) -> str:
        """The tally of the rows already there, in shard 0."""
        columns = ", ".join(self.counts)
        sums = ", ".join(
            f"SUM(CASE WHEN {condition.format(row=self.source)} THEN 1 ELSE 0 END)"
            for condition in self.counts.values()
        )
        kept = ", ".join(f"{c} = {self.target}.{c} + excluded.{c}" for c in self.counts)
        return (
            f"INSERT INTO {self.target} ({self.key}, shard, {columns}) "
            f"SELECT {self.key}, 0, {sums} FROM {self.source} WHERE true GROUP BY {self.key} "
            f"ON CONFLICT ({self.key}, shard) DO UPDATE SET {kept}"
        )

    def sqlite(self) -> list[str]:
        of = f" OF {', '.join(self.watched)}" if self.watched else ""
        return [
            f"CREATE TRIGGER {self.name}_insert AFTER INSERT ON {self.source} "
            f"BEGIN {self._add('NEW', 1)}; END",
            f"CREATE TRIGGER {self.name}_delete AFTER DELETE ON {self.source} "
            f"BEGIN {self._add('OLD', -1)}; END",
            f"CREATE TRIGGER {self.name}_update AFTER UPDATE{of} ON {self.source} "
            f"BEGIN {self._add('OLD', -1)}; {self._add('NEW', 1)}; END",
        ]

    def postgresql(self) -> list[str]:
        of = f" OF {', '.join(self.watched)}" if self.watched else ""
        return [
            f"""CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {self._add("OLD", -1)}; END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {self._add("NEW", 1)}; END IF;
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER {self.name} AFTER INSERT OR DELETE OR UPDATE{of} ON {self.source} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}()",
        ]

    def drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.source}",
                f"DROP FUNCTION IF EXISTS {self.name}()",
            ]
        return [f"DROP TRIGGER IF EXISTS {self.name}_{op}" for op in ("insert", "delete", "update")]


def _forget(target: str, key: str, parent: str, vendor: str) -> list[str]:
    """Deleting the parent deletes its tally rows."""
    name = f"{target}_forget"
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {target} WHERE {key} = OLD.id;
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER {name} AFTER DELETE ON {parent} FOR EACH ROW "
            f"EXECUTE FUNCTION {name}()",
        ]
    return [
        f"CREATE TRIGGER {name} AFTER DELETE ON {parent} "
        f"BEGIN DELETE FROM {target} WHERE {key} = OLD.id; END"
    ]


def install(schema_editor: Any, *tallies: Tally) -> None:
    """Triggers, then the tally of the rows already there (all tallies share one target)."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):  # DESIGN.md "Stack"
        raise NotImplementedError(f"no tally triggers for {vendor}")
    first = tallies[0]
    statements = _forget(first.target, first.key, first.parent, vendor)
    for tally in tallies:
        statements += tally.sqlite() if vendor == "sqlite" else tally.postgresql()
    # The triggers first: creating one locks its table against writes until the commit, so
    # the backfill then sees every row written before, and the triggers every row after.
    statements += [tally.backfill() for tally in tallies]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def remove(schema_editor: Any, *tallies: Tally) -> None:
    vendor = schema_editor.connection.vendor
    first = tallies[0]
    name = f"{first.target}_forget"
    statements = [s for t in tallies for s in t.drop(vendor)]
    if vendor == "postgresql":
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {first.parent}",
            f"DROP FUNCTION IF EXISTS {name}()",
        ]
    else:
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def around_table_remake(*tallies: Tally) -> tuple[Any, Any]:
    """Two migration operations to put before and after an operation that makes SQLite
    rebuild the table the tallies' triggers name (adding a NOT NULL column to the parent,
    say): SQLite checks every trigger when it renames the new table into place, and would
    fail on one naming the table being rebuilt. The triggers go before and come back after,
    without a backfill: the counts are already right, and a migration writes no members in
    between. Nothing happens on PostgreSQL, which alters a table in place."""
    from django.db import migrations

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            remove(schema_editor, *tallies)

    def restore(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        first = tallies[0]
        statements = _forget(first.target, first.key, first.parent, "sqlite")
        for tally in tallies:
            statements += tally.sqlite()
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return (migrations.RunPython(drop, restore), migrations.RunPython(restore, drop))
