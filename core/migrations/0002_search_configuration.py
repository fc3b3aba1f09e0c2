"""Text search configurations and extensions shared by every searchable record.

A configuration that maps words through the `unaccent` dictionary keeps generated
tsvector columns IMMUTABLE (PITFALLS "PostgreSQL search"). PostgreSQL has stemmers for
English, Dutch, German, Italian and Swedish; Czech, Estonian and Latvian get an
unaccented `simple` configuration.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

STEMMED = {"en": "english", "nl": "dutch", "de": "german", "it": "italian", "sv": "swedish"}
SIMPLE = ("cs", "et", "lv")


def _create_sql() -> str:
    parts = []
    for code, dictionary in STEMMED.items():
        parts.append(
            f"CREATE TEXT SEARCH CONFIGURATION innoinfra_{code} (COPY = pg_catalog.{dictionary});"
            f"ALTER TEXT SEARCH CONFIGURATION innoinfra_{code} ALTER MAPPING FOR "
            f"hword, hword_part, word WITH public.unaccent, {dictionary}_stem;"
        )
    for code in SIMPLE:
        parts.append(
            f"CREATE TEXT SEARCH CONFIGURATION innoinfra_{code} (COPY = pg_catalog.simple);"
            f"ALTER TEXT SEARCH CONFIGURATION innoinfra_{code} ALTER MAPPING FOR "
            f"hword, hword_part, word WITH public.unaccent, simple;"
        )
    # Names and acronyms: no stemming, no stop words, accents folded.
    parts.append(
        "CREATE TEXT SEARCH CONFIGURATION innoinfra_simple (COPY = pg_catalog.simple);"
        "ALTER TEXT SEARCH CONFIGURATION innoinfra_simple ALTER MAPPING FOR "
        "hword, hword_part, word WITH public.unaccent, simple;"
    )
    # An IMMUTABLE unaccent for expression indexes (trigram on names); the built-in
    # one is only STABLE because it reads its dictionary by search path.
    parts.append(
        "CREATE FUNCTION innoinfra_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;"
    )
    return "\n".join(parts)


def _drop_sql() -> str:
    codes = [*STEMMED, *SIMPLE, "simple"]
    return "\n".join(
        [f"DROP TEXT SEARCH CONFIGURATION IF EXISTS innoinfra_{code};" for code in codes]
        + ["DROP FUNCTION IF EXISTS innoinfra_unaccent(text);"]
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(_create_sql(), _drop_sql()),
    ]
