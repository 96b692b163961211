"""Issue 11: the size of each vote's electorate and how many have voted, kept by triggers
on decisions_eligible and decisions_participation (folkmoot.tallies), with the rows already
there counted."""

from typing import Any

from django.db import migrations

from folkmoot.tallies import Tally, install, remove

ELECTORATE = Tally(
    name="decisions_eligible_tally",
    source="decisions_eligible",
    key="vote_id",
    target="decisions_votetally",
    parent="decisions_vote",
    counts={"electorate": "true"},
    watched=("vote_id",),
)
VOTED = Tally(
    name="decisions_participation_tally",
    source="decisions_participation",
    key="vote_id",
    target="decisions_votetally",
    parent="decisions_vote",
    counts={"voted": "true"},
    watched=("vote_id",),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    install(schema_editor, ELECTORATE, VOTED)


def backwards(apps: Any, schema_editor: Any) -> None:
    remove(schema_editor, ELECTORATE, VOTED)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0009_vote_tally")]

    # The unique (key, shard) constraint the triggers' upserts need is created at the end
    # of the previous migration.
    operations = [migrations.RunPython(forwards, backwards)]
