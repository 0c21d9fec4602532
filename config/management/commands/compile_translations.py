from django.core.management.base import BaseCommand

from config.translations import catalogues_compile


class Command(BaseCommand):
    help = (
        "Compile the translation catalogues (locale/ and every app's locale/) to .mo files, "
        "without GNU gettext. Only those missing or older than their .po, unless --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Compile every catalogue, stale or not.")

    def handle(self, *args, **options):
        written = catalogues_compile(everything=options["all"])
        if options["verbosity"] >= 2:
            for path in written:
                self.stdout.write(f"Compiled {path}", self.style.SUCCESS)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{len(written)} catalogue(s) compiled.")
