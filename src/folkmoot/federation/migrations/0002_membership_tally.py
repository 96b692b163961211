"""Issue 11: the table of each assembly's member and participant counts; the triggers on
federation_membership that keep it (folkmoot.tallies) come in the next migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MembershipTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("members", models.IntegerField(db_default=0)),
                ("participants", models.IntegerField(db_default=0)),
                (
                    "assembly",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="federation.assembly",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assembly", "shard"), name="membership_tally_shard"
                    )
                ],
            },
        ),
    ]
