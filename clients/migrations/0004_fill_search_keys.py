"""Fill the search keys of clients created before they existed."""

from django.db import migrations


def fill(apps, schema_editor):
    from clients.search import name_keys

    Client = apps.get_model("clients", "Client")
    for client in Client.objects.filter(name_key=""):
        for field, value in name_keys(client.given_name, client.family_name).items():
            setattr(client, field, value)
        client.save(update_fields=["name_key", "family_key"])


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_screenings")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
