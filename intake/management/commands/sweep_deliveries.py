"""Re-enqueue due deliveries whose task was lost. Run it every few minutes
(`--every 300` keeps it running); docs/crm-bridge.md explains why."""

import time

from django.core.management.base import BaseCommand

from intake.tasks import sweep


class Command(BaseCommand):
    help = "Re-enqueue registrations' deliveries that are due but have no live task."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every, **options):
        while True:
            count = sweep()
            if options["verbosity"]:
                self.stdout.write(f"Re-enqueued {count} deliveries.")
            if not every:
                return
            time.sleep(every)
