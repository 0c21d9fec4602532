from django.core.management.base import BaseCommand

from clients.services import health_data_purge
from salon.selectors import salon_list


class Command(BaseCommand):
    help = "Delete screenings of clients inactive for longer than their salon's retention period."

    def handle(self, *args, **options):
        for salon in salon_list():
            purged = health_data_purge(salon=salon)
            self.stdout.write(f"{salon.name}: screenings of {purged} inactive client(s) purged.")
