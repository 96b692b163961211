"""Issue 12: a federation's country, so that dates on its pages follow its custom."""

from importlib import import_module

import django_countries.fields
from django.db import migrations

from folkmoot.tallies import around_table_remake

MEMBERSHIPS = import_module(
    "folkmoot.federation.migrations.0003_membership_tally_triggers"
).MEMBERSHIPS
BEFORE, AFTER = around_table_remake(MEMBERSHIPS)


class Migration(migrations.Migration):
    dependencies = [("federation", "0003_membership_tally_triggers")]

    operations = [
        BEFORE,
        migrations.AddField(
            model_name="assembly",
            name="country",
            field=django_countries.fields.CountryField(
                blank=True,
                help_text=(
                    "Only for a federation: dates on its pages follow this country's custom in "
                    "the reader's language (a US federation reads Dec 4, 2026 in English)."
                ),
                max_length=2,
                verbose_name="country",
            ),
        ),
        AFTER,
    ]
