"""Keep what every search reads inside the facility row (issue #6).

A facility's search vector is about 3.6 KB, so PostgreSQL stored it out of line (TOAST):
matching and ranking the 7,300 hits of a broad word at 10,000 facilities then fetched
7,300 vectors from the TOAST table, 65 ms where the same scan over inline vectors took
18 ms. `STORAGE MAIN` keeps a column in the row unless the row cannot fit a page. The
facet arrays and names get it too: with a 3.6 KB vector in the row, the toaster would
otherwise move every other value over 18 bytes out of line, and the facet index and the
name sort read those for every hit. Descriptions and the other long texts still move.

`VACUUM FULL` rewrites the existing rows under the new storage (an UPDATE would keep
values already out of line where they are); the migration is therefore not atomic.
"""

from django.db import migrations

INLINE = [
    "search_vector",
    "technologies",
    "service_types",
    "access_modes",
    "target_users",
    "facility_type",
    "state",
    "slug",
    "acronym",
    "name",
    "name_en",
    "name_nl",
    "name_cs",
    "name_et",
    "name_de",
    "name_it",
    "name_lv",
    "name_sv",
]


def _alter(storage: str) -> str:
    columns = ", ".join(f"ALTER COLUMN {c} SET STORAGE {storage}" for c in INLINE)
    return f"ALTER TABLE catalogue_facility {columns}"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalogue", "0004_enquiries")]

    operations = [
        migrations.RunSQL(_alter("MAIN"), reverse_sql=_alter("EXTENDED")),
        migrations.RunSQL("VACUUM FULL catalogue_facility", reverse_sql=migrations.RunSQL.noop),
    ]
