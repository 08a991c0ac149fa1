"""pg_trgm for spelling suggestions in the site search (search/services.py:
"östersnd" → "Östersund" by trigram word similarity of page titles and
municipality names).

A trusted extension since PostgreSQL 13: the database owner may create it.
Nothing happens on SQLite, where the search compares titles with difflib.
"""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def keep_extension(apps, schema_editor):
    """The extension stays: other things may use it."""


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_text_search_configurations"),
    ]

    operations = [
        migrations.RunPython(create_extension, keep_extension, elidable=False),
    ]
