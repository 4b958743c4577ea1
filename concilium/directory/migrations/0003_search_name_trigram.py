"""On PostgreSQL: a trigram GIN index so 'name contains' searches stay fast at 100,000 clinicians."""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS clinician_search_name_trgm "
        "ON directory_clinician USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS clinician_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_eu_languages")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
