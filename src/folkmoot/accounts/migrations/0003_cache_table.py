"""The database cache's table (issue 10): without Redis, sign-in rate limits and the rest of
the cache live in the database so that every worker shares them. Creating it here means
`folkmoot migrate` is all a new installation needs; `folkmoot createcachetable` does the same
and skips tables that exist, so running both is harmless."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps: Any, schema_editor: Any) -> None:
    # Only caches configured with the database backend get a table; others are left alone.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken_revoked_because")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
