"""Run every registered periodic job once per period (tasteget/scheduling.py).

Any number may run (compose runs one, Kubernetes two): each job's period is
claimed in the database by one of them. SIGTERM and SIGINT end it after the
job that is running.
"""

import signal

from django.core.management.base import BaseCommand

from tasteget.scheduling import Scheduler


class Command(BaseCommand):
    help = "Run the site's periodic jobs, each once per period across every scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between looks for due jobs.")
        parser.add_argument("--once", action="store_true", help="Run the jobs that are due now, then exit.")
        parser.add_argument("--list", action="store_true", dest="list_jobs", help="List the jobs and their periods.")

    def handle(self, *args, tick, once, list_jobs, **options):
        scheduler = Scheduler()
        if list_jobs:
            for job in scheduler.jobs:
                self.stdout.write(f"{job.name}\t{job.period}")
            return
        if once:
            for name in scheduler.run_due():
                self.stdout.write(f"Ran {name}.")
            return
        signal.signal(signal.SIGTERM, scheduler.stop)
        signal.signal(signal.SIGINT, scheduler.stop)
        scheduler.serve(tick=tick)
