"""An appointment may be booked without a plan: online, when the location lets
clients whose screening rules the routine out book anyway (the desk is told)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0012_availability_stamp"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appointment",
            name="plan",
            field=models.OneToOneField(
                blank=True,
                help_text="Empty for a session booked online whose routine the screening rules out (see plan_problem).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointment",
                to="treatments.sessionplan",
            ),
        ),
    ]
