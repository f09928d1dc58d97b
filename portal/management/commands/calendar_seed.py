from django.core.management.base import BaseCommand

from portal.services.calendar import calendar_seed_from_package


class Command(BaseCommand):
    help = "Load the work calendar for every year the installed chinese-calendar package knows."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="Reload years that are loaded already.")

    def handle(self, *args, **options):
        years = calendar_seed_from_package(overwrite=options["overwrite"])
        self.stdout.write(f"Loaded {len(years)} year(s): {years[0]}–{years[-1]}" if years else "Nothing to load.")
