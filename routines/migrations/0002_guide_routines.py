"""Load the routines of the back-massage guide (see routines/guide.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from routines.guide_load import write_guide_routines

    write_guide_routines(
        apps.get_model("routines", "Technique"),
        apps.get_model("routines", "RoutineTemplate"),
        apps.get_model("routines", "RoutineStep"),
    )


class Migration(migrations.Migration):
    dependencies = [("routines", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
