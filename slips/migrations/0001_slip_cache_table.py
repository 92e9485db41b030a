"""The slips' shared cache table (settings.CACHES["slips"], a database cache by default)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Creates the table of every database cache that is missing (none if the slips' cache is
    # configured elsewhere, e.g. Redis): the embedded default and Docker both only migrate.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
