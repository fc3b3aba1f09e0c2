"""Keep the folded names inside the facility row as well (issue #6).

0005 kept the search vector, the facet arrays and the names in the row, but not
`search_names`, the folded names a misspelt word is matched against by trigram
similarity. With a 3.6 KB vector in the row the toaster moved it out of line, so a typo
such as "vibraton" (5,300 near-miss names at 100,000 facilities) fetched each hit's
names from the TOAST table to score them: 37,000 buffer reads. As in 0005, `VACUUM FULL`
rewrites the existing rows under the new storage; the migration is not atomic.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalogue", "0007_browse_order_index")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE catalogue_facility ALTER COLUMN search_names SET STORAGE MAIN",
            reverse_sql="ALTER TABLE catalogue_facility ALTER COLUMN search_names SET STORAGE EXTENDED",
        ),
        migrations.RunSQL("VACUUM FULL catalogue_facility", reverse_sql=migrations.RunSQL.noop),
    ]
