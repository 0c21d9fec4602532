"""Record the role in which staff entered a screening, and fill it in for the
screenings staff entered before: the role the account holds now is the best
evidence left. Role names are written out so the migration keeps its meaning."""

from django.db import migrations, models

MOST_CLINICAL_FIRST = ["Manager", "Therapist", "Receptionist"]


def fill_entered_by_role(apps, schema_editor):
    HealthScreening = apps.get_model("clients", "HealthScreening")
    entered = HealthScreening.objects.filter(entered_via="staff", entered_by__isnull=False).select_related("entered_by")
    for screening in entered.iterator():
        user = screening.entered_by
        held = (
            {"Manager", "Therapist", "Receptionist"}
            if user.is_superuser
            else set(user.groups.values_list("name", flat=True))
        )
        role = next((name for name in MOST_CLINICAL_FIRST if name in held), "")
        if role:
            HealthScreening.objects.filter(pk=screening.pk).update(entered_by_role=role)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0013_clearances_expire"),
    ]

    operations = [
        migrations.AddField(
            model_name="healthscreening",
            name="entered_by_role",
            field=models.CharField(
                blank=True,
                help_text="The role of the member of staff who typed the answers in, when they did "
                "(Receptionist, Therapist or Manager); empty for the client's own answers.",
                max_length=16,
            ),
        ),
        migrations.RunPython(fill_entered_by_role, migrations.RunPython.noop),
    ]
