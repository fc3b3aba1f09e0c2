"""Word similarity above which a facility name counts as a typo'd hit.

pg_trgm's default (0.6) misses one wrong letter in a short word (PITFALLS "PostgreSQL
search"); 0.45 still rejects unrelated names. Set on the database, so every session
(web, workers, tests) uses it with the `%>` operator that the trigram index serves.
"""

from django.db import migrations

SET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.45', current_database());
END $$;
"""
RESET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold', current_database());
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunSQL(SET, RESET)]
