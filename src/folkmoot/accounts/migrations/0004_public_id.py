"""Issue 13: a public id for every person, given to those already there."""

from typing import Any

from django.db import migrations, models

import folkmoot.accounts.models


def give_ids(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(public_id__isnull=True).only("pk").iterator():
        User.objects.filter(pk=user.pk).update(
            public_id=folkmoot.accounts.models.new_public_id()
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_cache_table")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="public_id",
            field=models.CharField(
                default=folkmoot.accounts.models.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
    ]
