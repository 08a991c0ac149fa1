"""PostgreSQL text search configurations for the site search (search/backends.py).

Each one folds accents with the unaccent extension before stemming, so
"ostersund" and "Östersund" become the same lexeme:

- tasteget_sv: Swedish stop words, then unaccent, then the Swedish stemmer.
  The stop words are removed before unaccent ("för", "på", "är" would no
  longer be found in the Swedish stop word list once folded to "for", "pa",
  "ar").
- tasteget_en: unaccent, then the English stemmer.
- tasteget_de: German stop words, then unaccent, then the German stemmer
  (stop words first for the same reason: "für", "über").
- tasteget_ar: unaccent (for Latin place names such as Östersund), then
  the Arabic stemmer.
- tasteget_simple: unaccent, no stemming; for other languages, content
  without a language and autocomplete (prefix) queries.

Only the token types holding non-ASCII letters (word, hword, hword_part)
get the unaccent step; ASCII words keep the built-in mapping.

Nothing happens on SQLite. Index entries written with an older
configuration must be rebuilt: `manage.py update_index` (docs/deployment.md).
"""

from django.db import migrations

CONFIGURATIONS = ["tasteget_sv", "tasteget_en", "tasteget_de", "tasteget_ar", "tasteget_simple"]
SWEDISH_STOP_WORDS = "tasteget_swedish_stop"
GERMAN_STOP_WORDS = "tasteget_german_stop"


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension since PostgreSQL 13: the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) FROM pg_extension e"
            " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        unaccent = f"{cursor.fetchone()[0]}.unaccent"
    drop_configurations(apps, schema_editor)
    folded = "word, hword, hword_part"
    for statement in [
        f"CREATE TEXT SEARCH DICTIONARY {SWEDISH_STOP_WORDS}"
        " (TEMPLATE = pg_catalog.simple, STOPWORDS = swedish, ACCEPT = false)",
        "CREATE TEXT SEARCH CONFIGURATION tasteget_sv (COPY = pg_catalog.swedish)",
        f"ALTER TEXT SEARCH CONFIGURATION tasteget_sv ALTER MAPPING FOR {folded}"
        f" WITH {SWEDISH_STOP_WORDS}, {unaccent}, pg_catalog.swedish_stem",
        f"CREATE TEXT SEARCH DICTIONARY {GERMAN_STOP_WORDS}"
        " (TEMPLATE = pg_catalog.simple, STOPWORDS = german, ACCEPT = false)",
        "CREATE TEXT SEARCH CONFIGURATION tasteget_de (COPY = pg_catalog.german)",
        f"ALTER TEXT SEARCH CONFIGURATION tasteget_de ALTER MAPPING FOR {folded}"
        f" WITH {GERMAN_STOP_WORDS}, {unaccent}, pg_catalog.german_stem",
        "CREATE TEXT SEARCH CONFIGURATION tasteget_ar (COPY = pg_catalog.arabic)",
        f"ALTER TEXT SEARCH CONFIGURATION tasteget_ar ALTER MAPPING FOR {folded}"
        f" WITH {unaccent}, pg_catalog.arabic_stem",
        "CREATE TEXT SEARCH CONFIGURATION tasteget_en (COPY = pg_catalog.english)",
        f"ALTER TEXT SEARCH CONFIGURATION tasteget_en ALTER MAPPING FOR {folded}"
        f" WITH {unaccent}, pg_catalog.english_stem",
        "CREATE TEXT SEARCH CONFIGURATION tasteget_simple (COPY = pg_catalog.simple)",
        f"ALTER TEXT SEARCH CONFIGURATION tasteget_simple ALTER MAPPING FOR {folded}"
        f" WITH {unaccent}, pg_catalog.simple",
    ]:
        schema_editor.execute(statement)


def drop_configurations(apps, schema_editor):
    """The unaccent extension stays: other things may use it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
    for name in (SWEDISH_STOP_WORDS, GERMAN_STOP_WORDS):
        schema_editor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_configurations, drop_configurations, elidable=False),
    ]
