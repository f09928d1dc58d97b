from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.services.calendar import CalendarImportError, calendar_import_year, parse_notice


class Command(BaseCommand):
    help = (
        "Load one year's official holiday notice from a text file, one line per entry: "
        "'2027-01-01~2027-01-03 休 元旦' or '2027-02-14 班 春节调休'."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="The notice's title and number.")

    def handle(self, *args, **options):
        try:
            entries = parse_notice(options["file"].read_text(encoding="utf-8"))
            calendar_import_year(year=options["year"], entries=entries, actor=None, source=options["source"])
        except CalendarImportError as exc:
            raise CommandError("\n".join(f"line {line}: {msg}" for line, msg in exc.errors)) from exc
        self.stdout.write(self.style.SUCCESS(f"{options['year']} loaded."))
