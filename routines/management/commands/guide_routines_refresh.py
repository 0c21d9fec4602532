from django.core.management.base import BaseCommand

from routines.services import guide_routines_refresh


class Command(BaseCommand):
    help = (
        "Bring the guide's routines in line with this version of the software "
        "(versions in use get a new version; plans keep theirs)."
    )

    def handle(self, *args, **options):
        changed = guide_routines_refresh()
        for routine in changed:
            self.stdout.write(f"{routine.name}: now version {routine.version}")
        self.stdout.write(f"{len(changed)} routine(s) changed.")
