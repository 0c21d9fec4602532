from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0015_courses")]

    operations = [
        migrations.AddField(
            model_name="bookinghold",
            name="language",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="waitlistentry",
            name="language",
            field=models.CharField(blank=True, max_length=8),
        ),
    ]
