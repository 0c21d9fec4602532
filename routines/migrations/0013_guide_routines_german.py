"""German for the guide's five routines, their steps and techniques (see
routines/guide_de.py). Reversed, the German goes and other languages stay."""

from django.db import migrations


def models(apps):
    return (
        apps.get_model("routines", "Technique"),
        apps.get_model("routines", "RoutineTemplate"),
        apps.get_model("routines", "RoutineStep"),
    )


def add(apps, schema_editor):
    from routines.guide_de import german_add

    german_add(*models(apps))


def remove(apps, schema_editor):
    from routines.guide_de import german_remove

    german_remove(*models(apps))


class Migration(migrations.Migration):
    dependencies = [("routines", "0012_content_translations")]

    operations = [migrations.RunPython(add, remove)]
