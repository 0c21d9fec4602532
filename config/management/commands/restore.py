from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backups import backup_problem, database_restore, embedded_database_path
from salon.errors import DomainError


class Command(BaseCommand):
    help = "Put a backup made by `manage.py backup` back in place of the embedded SQLite database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup to restore (a file in var/backups/).")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, file: Path, interactive: bool, **options):
        try:
            target = embedded_database_path()
        except DomainError as error:
            raise CommandError(error.detail) from None
        problem = backup_problem(file)
        if problem:
            raise CommandError(problem)
        if interactive:
            answer = input(
                f"This replaces everything in {target} with the backup {file}.\n"
                "Bookings made since that backup will be gone (the current database is saved first).\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            saved = database_restore(source=file)
        except DomainError as error:
            raise CommandError(error.detail) from None
        if saved:
            self.stdout.write(f"The database as it was is saved as {saved}.")
        self.stdout.write(
            f"Restored {file}. Run `manage.py migrate` if the backup is older than this version of the software."
        )
