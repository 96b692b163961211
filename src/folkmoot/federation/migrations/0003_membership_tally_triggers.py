"""Issue 11: the members and participants of each assembly, kept by triggers on
federation_membership (folkmoot.tallies), with the memberships already there counted."""

from typing import Any

from django.db import migrations

from folkmoot.tallies import Tally, install, remove

ACTIVE = "{row}.ended_at IS NULL"
MEMBERSHIPS = Tally(
    name="federation_membership_tally",
    source="federation_membership",
    key="assembly_id",
    target="federation_membershiptally",
    parent="federation_assembly",
    counts={
        "members": f"{ACTIVE} AND {{row}}.status = 'member'",
        "participants": f"{ACTIVE} AND {{row}}.status = 'participant'",
    },
    watched=("assembly_id", "status", "ended_at"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    install(schema_editor, MEMBERSHIPS)


def backwards(apps: Any, schema_editor: Any) -> None:
    remove(schema_editor, MEMBERSHIPS)


class Migration(migrations.Migration):
    dependencies = [("federation", "0002_membership_tally")]

    # The unique (key, shard) constraint the triggers' upserts need is created at the end
    # of the previous migration.
    operations = [migrations.RunPython(forwards, backwards)]
