"""Drop knox's own token table: this project swaps it for core.ApiToken (KNOX_TOKEN_MODEL).

knox's migrations still create `knox_authtoken`, which no model manages. Its foreign key
to auth_user makes Django's test flush (TRUNCATE of the managed tables) fail.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_outbox_and_reminders"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop)]
