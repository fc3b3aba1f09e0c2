"""The search documents (catalogue.models.SearchDocument), kept by triggers (issue #6).

A row per published facility: a copy of its search vector and names. The triggers run
for every write of the facility table, the import's COPY and the bulk loaders included,
so nothing in Python has to remember the copy; an update that changes none of the copied
columns nor the state skips them. The table's columns are set to `STORAGE MAIN` before
the existing rows are copied, so the copies are written in the row.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0008_inline_search_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "facility",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalogue.facility",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
                ("name", models.CharField(max_length=200)),
                ("name_en", models.CharField(max_length=200, null=True)),
                ("name_nl", models.CharField(max_length=200, null=True)),
                ("name_cs", models.CharField(max_length=200, null=True)),
                ("name_et", models.CharField(max_length=200, null=True)),
                ("name_de", models.CharField(max_length=200, null=True)),
                ("name_it", models.CharField(max_length=200, null=True)),
                ("name_lv", models.CharField(max_length=200, null=True)),
                ("name_sv", models.CharField(max_length=200, null=True)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="searchdocument_vector")
                ],
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE catalogue_searchdocument ALTER COLUMN vector SET STORAGE MAIN, ALTER COLUMN name SET STORAGE MAIN, ALTER COLUMN name_en SET STORAGE MAIN, ALTER COLUMN name_nl SET STORAGE MAIN, ALTER COLUMN name_cs SET STORAGE MAIN, ALTER COLUMN name_et SET STORAGE MAIN, ALTER COLUMN name_de SET STORAGE MAIN, ALTER COLUMN name_it SET STORAGE MAIN, ALTER COLUMN name_lv SET STORAGE MAIN, ALTER COLUMN name_sv SET STORAGE MAIN",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            """
            CREATE FUNCTION catalogue_searchdocument_keep() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR NEW.state <> 'published' THEN
                    DELETE FROM catalogue_searchdocument WHERE facility_id = OLD.id;
                END IF;
                IF TG_OP <> 'DELETE' AND NEW.state = 'published' THEN
                    INSERT INTO catalogue_searchdocument (facility_id, vector, name, name_en, name_nl, name_cs, name_et, name_de, name_it, name_lv, name_sv)
                    VALUES (NEW.id, NEW.search_vector, NEW.name, NEW.name_en, NEW.name_nl, NEW.name_cs, NEW.name_et, NEW.name_de, NEW.name_it, NEW.name_lv, NEW.name_sv)
                    ON CONFLICT (facility_id) DO UPDATE SET vector = EXCLUDED.vector, name = EXCLUDED.name, name_en = EXCLUDED.name_en, name_nl = EXCLUDED.name_nl, name_cs = EXCLUDED.name_cs, name_et = EXCLUDED.name_et, name_de = EXCLUDED.name_de, name_it = EXCLUDED.name_it, name_lv = EXCLUDED.name_lv, name_sv = EXCLUDED.name_sv;
                END IF;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER catalogue_searchdocument_insert AFTER INSERT ON catalogue_facility
                FOR EACH ROW WHEN (NEW.state = 'published')
                EXECUTE FUNCTION catalogue_searchdocument_keep();
            CREATE TRIGGER catalogue_searchdocument_update AFTER UPDATE ON catalogue_facility
                FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.search_vector IS DISTINCT FROM NEW.search_vector OR OLD.name IS DISTINCT FROM NEW.name OR OLD.name_en IS DISTINCT FROM NEW.name_en OR OLD.name_nl IS DISTINCT FROM NEW.name_nl OR OLD.name_cs IS DISTINCT FROM NEW.name_cs OR OLD.name_et IS DISTINCT FROM NEW.name_et OR OLD.name_de IS DISTINCT FROM NEW.name_de OR OLD.name_it IS DISTINCT FROM NEW.name_it OR OLD.name_lv IS DISTINCT FROM NEW.name_lv OR OLD.name_sv IS DISTINCT FROM NEW.name_sv)
                EXECUTE FUNCTION catalogue_searchdocument_keep();
            CREATE TRIGGER catalogue_searchdocument_delete AFTER DELETE ON catalogue_facility
                FOR EACH ROW WHEN (OLD.state = 'published')
                EXECUTE FUNCTION catalogue_searchdocument_keep();
            """,
            reverse_sql="""
            DROP TRIGGER catalogue_searchdocument_insert ON catalogue_facility;
            DROP TRIGGER catalogue_searchdocument_update ON catalogue_facility;
            DROP TRIGGER catalogue_searchdocument_delete ON catalogue_facility;
            DROP FUNCTION catalogue_searchdocument_keep();
            """,
        ),
        migrations.RunSQL(
            "INSERT INTO catalogue_searchdocument (facility_id, vector, name, name_en, name_nl, name_cs, name_et, name_de, name_it, name_lv, name_sv)"
            " SELECT id, search_vector, name, name_en, name_nl, name_cs, name_et, name_de, name_it, name_lv, name_sv FROM catalogue_facility WHERE state = 'published'",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
