from django.core.management.base import BaseCommand

from clients.services import health_data_purge
from salon.models import Business


class Command(BaseCommand):
    help = "Delete screenings of clients inactive for longer than the business's retention period."

    def handle(self, *args, **options):
        for business in Business.objects.all():
            purged = health_data_purge(business=business)
            self.stdout.write(f"{business.name}: screenings of {purged} inactive client(s) purged.")
