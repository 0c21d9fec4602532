from django.core.management.base import BaseCommand, CommandError

from config.backups import database_back_up
from salon.errors import DomainError


class Command(BaseCommand):
    help = "Write a consistent copy of the embedded SQLite database into var/backups/ (safe while the site runs)."

    def add_arguments(self, parser):
        parser.add_argument("--folder", help="Where to write the copy (default: BACKUP_DIR, var/backups/).")
        parser.add_argument("--keep", type=int, help="How many backups to keep (default: BACKUP_KEEP).")

    def handle(self, *args, folder=None, keep=None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more.")
        try:
            path = database_back_up(folder=folder, keep=keep)
        except DomainError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(f"Backup written: {path}")
