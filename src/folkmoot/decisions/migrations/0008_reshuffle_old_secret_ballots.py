"""Issue 10, docs/secrecy.md: secret ballots counted before the ballot box existed were
stored one by one, so their physical order (SQLite's rowid, PostgreSQL's ctid) and, on
PostgreSQL, their transaction ids follow the order of voting. Re-write every secret vote's
counted ballots once, in a random order with new random keys, in this migration's single
transaction — what opening the box does at each close from now on."""

import secrets
import uuid
from typing import Any

from django.db import migrations


def reshuffle(apps: Any, schema_editor: Any) -> None:
    ballot_model = apps.get_model("decisions", "Ballot")
    vote_ids = (
        ballot_model.objects.filter(vote__secret=True).values_list("vote_id", flat=True).distinct()
    )
    for vote_id in list(vote_ids):
        rows = list(
            ballot_model.objects.filter(vote_id=vote_id).values_list("marks", "valid", "check_code")
        )
        secrets.SystemRandom().shuffle(rows)
        ballot_model.objects.filter(vote_id=vote_id).delete()
        ballot_model.objects.bulk_create(
            [
                ballot_model(id=uuid.uuid4(), vote_id=vote_id, marks=m, valid=v, check_code=c)
                for m, v, c in rows
            ],
            batch_size=5000,
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0007_open_vote_is_fixed")]

    operations = [migrations.RunPython(reshuffle, migrations.RunPython.noop)]
