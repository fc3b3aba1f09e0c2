"""The controlled vocabularies (fixtures/vocabularies.json); `load_reference_data` re-syncs."""

from django.db import migrations


def seed(apps, schema_editor):
    from core.reference_data import load_vocabularies

    load_vocabularies(apps.get_model("core", "Term"))


class Migration(migrations.Migration):
    dependencies = [("core", "0004_term_synonyms_history_api_token")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
