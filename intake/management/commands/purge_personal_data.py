"""Apply the retention rules to registrations once (intake/retention.py).

`housekeeping` runs this daily; each run logs its counts. Safe to run again:
what was purged is not touched twice.
"""

from django.core.management.base import BaseCommand

from intake.retention import purge


class Command(BaseCommand):
    help = "Anonymise registrations past their retention; list how many are held back by a failed delivery."

    def handle(self, *args, **options):
        counts = purge()
        if options["verbosity"]:
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count}")
