"""Clients belong to the business that owns the salon they were added at."""

from django.db import migrations


def clients_to_business(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Salon = apps.get_model("salon", "Salon")
    for salon in Salon.objects.exclude(business=None):
        Client.objects.filter(salon=salon).update(business_id=salon.business_id)


def business_to_salon(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Salon = apps.get_model("salon", "Salon")
    for salon in Salon.objects.order_by("name", "pk"):
        Client.objects.filter(business_id=salon.business_id, salon=None).update(salon=salon)


class Migration(migrations.Migration):
    dependencies = [("clients", "0016_client_business_add"), ("salon", "0013_locations_fill")]

    operations = [migrations.RunPython(clients_to_business, business_to_salon)]
