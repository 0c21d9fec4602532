"""Today's salon becomes the first location of a business of the same name.

The business takes the client-wide settings from the first salon; every
therapist belongs to it and keeps working where they worked; every account
keeps the locations it had (all of them for managers and superusers)."""

from django.db import migrations


def salons_to_locations(apps, schema_editor):
    Business = apps.get_model("salon", "Business")
    Salon = apps.get_model("salon", "Salon")
    Therapist = apps.get_model("salon", "Therapist")
    WorkingHours = apps.get_model("salon", "WorkingHours")
    User = apps.get_model("salon", "User")
    salons = list(Salon.objects.order_by("name", "pk"))
    if not salons:
        return
    first = salons[0]
    business = Business.objects.create(
        name=first.name,
        time_zone=first.time_zone,
        screening_valid_months=first.screening_valid_months,
        clearance_valid_days=first.clearance_valid_days,
        health_data_retention_months=first.health_data_retention_months,
    )
    Salon.objects.update(business=business)
    Therapist.objects.update(business=business)
    for therapist in Therapist.objects.all():
        WorkingHours.objects.filter(therapist=therapist).update(salon_id=therapist.salon_id)
    for user in User.objects.prefetch_related("groups"):
        if user.is_superuser or any(group.name == "Manager" for group in user.groups.all()):
            user.all_locations = True
            user.save(update_fields=["all_locations"])
        else:
            therapist = Therapist.objects.filter(user=user).first()
            user.locations.set([therapist.salon_id] if therapist else [salon.pk for salon in salons])


def locations_to_salons(apps, schema_editor):
    Salon = apps.get_model("salon", "Salon")
    Therapist = apps.get_model("salon", "Therapist")
    WorkingHours = apps.get_model("salon", "WorkingHours")
    for salon in Salon.objects.select_related("business").exclude(business=None):
        salon.screening_valid_months = salon.business.screening_valid_months
        salon.clearance_valid_days = salon.business.clearance_valid_days
        salon.health_data_retention_months = salon.business.health_data_retention_months
        salon.save()
    for therapist in Therapist.objects.all():
        shift = WorkingHours.objects.filter(therapist=therapist).exclude(salon=None).first()
        if shift is not None:
            therapist.salon_id = shift.salon_id
            therapist.save(update_fields=["salon"])


class Migration(migrations.Migration):
    dependencies = [("salon", "0012_locations_add")]

    operations = [migrations.RunPython(salons_to_locations, locations_to_salons)]
