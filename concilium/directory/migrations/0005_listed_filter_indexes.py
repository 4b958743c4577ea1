"""Keep the directory's filters fast at 100,000 clinicians (measured by bench/directory_search.py).

- Country and specialty: the listed clinicians of one country or specialty in name order, read from the index
  alone, so pages skip rows without reading the table.
- Language and network: the link tables get an index that starts with the language or the network, so the
  planner can start from a rare language's few clinicians instead of walking every name in order.
- On PostgreSQL, no parallel workers for these tables: the directory's queries are short, run on every
  keystroke, and splitting them over workers made them several times slower on a small server.
"""

from django.db import migrations, models

LINK_INDEXES = [
    ("clinician_languages_by_language", "directory_clinician_languages", "language_id, clinician_id"),
    ("clinician_networks_by_network", "directory_clinician_networks", "network_id, clinician_id"),
]
TABLES = ["directory_clinician", "directory_clinician_languages", "directory_clinician_networks"]


def no_parallel_workers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (parallel_workers = 0)")


def default_parallel_workers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (parallel_workers)")


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_clinician_listed_name_index")]

    operations = [
        migrations.RemoveIndex(model_name="clinician", name="clinician_country_name"),
        migrations.RemoveIndex(model_name="clinician", name="clinician_specialty_name"),
        migrations.AddIndex(
            model_name="clinician",
            index=models.Index(
                condition=models.Q(("is_listed", True)),
                fields=["country", "search_name", "id"],
                name="clinician_listed_country",
            ),
        ),
        migrations.AddIndex(
            model_name="clinician",
            index=models.Index(
                condition=models.Q(("is_listed", True)),
                fields=["specialty", "search_name", "id"],
                name="clinician_listed_specialty",
            ),
        ),
        # The many-to-many link tables are Django's own: plain SQL, valid on PostgreSQL and SQLite alike.
        *[
            migrations.RunSQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, table, columns in LINK_INDEXES
        ],
        migrations.RunPython(no_parallel_workers, default_parallel_workers),
    ]
