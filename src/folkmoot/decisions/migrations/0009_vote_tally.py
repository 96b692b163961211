"""Issue 11: the table of each vote's electorate size and turnout; the triggers on
decisions_eligible and decisions_participation that keep it (folkmoot.tallies) come in the
next migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0008_reshuffle_old_secret_ballots"),
    ]

    operations = [
        migrations.CreateModel(
            name="VoteTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("electorate", models.IntegerField(db_default=0)),
                ("voted", models.IntegerField(db_default=0)),
                (
                    "vote",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="decisions.vote",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("vote", "shard"), name="vote_tally_shard")
                ],
            },
        ),
    ]
