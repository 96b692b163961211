"""Issue 10: once a vote has opened (or anyone has voted in it), the database itself refuses
to change what it asks and how it counts, whichever code path tries: reordering the options
of an open vote would silently reassign every ballot. The columns are those of
`folkmoot.decisions.frozen.FIXED_FIELDS`; a write that leaves them as they are (the close
takes the row with `closes_at = closes_at`) passes, and other columns stay writable."""

from typing import Any

from django.db import migrations

FIXED = (
    "method",
    "options",
    "subjects",
    "secret",
    "opens_at",
    "closes_at",
    "seats",
    "max_score",
    "validity",
    "ask_validity",
    "may_change_ballot",
    "random_order",
    # The published lot breaks ties nothing else can (VOTE-12), and the kind decides
    # whether the result binds: both are fixed before the first ballot.
    "lot_seed",
    "kind",
)
MESSAGE = "vote_is_fixed: the method, options, secrecy and times of an open vote cannot change"
NAME = "decisions_vote_open_is_fixed"
VOTED = (
    "EXISTS (SELECT 1 FROM decisions_participation WHERE vote_id = OLD.id)"
    " OR EXISTS (SELECT 1 FROM decisions_ballot WHERE vote_id = OLD.id)"
)

SQLITE = f"""
CREATE TRIGGER {NAME}
BEFORE UPDATE OF {", ".join(FIXED)} ON decisions_vote
FOR EACH ROW
WHEN ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)})
  AND ((OLD.opens_at IS NOT NULL AND OLD.opens_at <= strftime('%Y-%m-%d %H:%M:%f', 'now'))
       OR {VOTED})
BEGIN
  SELECT RAISE(ABORT, '{MESSAGE}');
END
"""

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF ({", ".join(f"NEW.{c}" for c in FIXED)}) IS DISTINCT FROM
     ({", ".join(f"OLD.{c}" for c in FIXED)})
     AND ((OLD.opens_at IS NOT NULL AND OLD.opens_at <= clock_timestamp()) OR {VOTED}) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
""",
    f"CREATE TRIGGER {NAME} BEFORE UPDATE ON decisions_vote FOR EACH ROW EXECUTE FUNCTION {NAME}()",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # No parameters: the `%` of strftime must reach SQLite as written.
        schema_editor.execute(SQLITE, params=None)
    elif vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement, params=None)
    else:  # only SQLite and PostgreSQL are supported (DESIGN.md "Stack")
        raise NotImplementedError(f"no open-vote trigger for {vendor}")


def remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON decisions_vote", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NAME}()", params=None)
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}", params=None)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0006_ballot_box")]

    operations = [migrations.RunPython(install, remove)]
