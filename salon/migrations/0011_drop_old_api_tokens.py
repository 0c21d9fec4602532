"""The API tokens of before issue 14 (DRF's authtoken: one key per user,
stored in plain text, never expiring) no longer authenticate anyone; the
app is gone from INSTALLED_APPS, so its table would stay behind holding
live-looking secrets. Drop it. Nothing to restore: knox tokens replace them
(each client asks for a new one)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("salon", "0010_managers_lift_lockouts")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop)]
