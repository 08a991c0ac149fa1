"""Import the ambassador network from a CSV or XLSX file (for automation; the
admin has the same import with a preview). See ambassadors/importing.py for
the columns and the rules."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ambassadors import importing


class Command(BaseCommand):
    help = "Import ambassadors from a CSV or XLSX file; reports bad rows by number. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        translation.activate("en")
        try:
            rows = importing.read_table(Path(path).read_bytes(), path)
        except (OSError, importing.UnreadableFile) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        planned = importing.plan(rows)
        for row in planned:
            if not row.is_valid:
                self.stderr.write(f"row {row.number}: " + "; ".join(row.problems))
        counts = importing.apply(planned)
        self.stdout.write(
            f"{counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged, "
            f"{counts['error']} rows with errors."
        )
