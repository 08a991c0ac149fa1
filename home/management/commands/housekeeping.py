"""Run the site's recurring jobs once, now, in this process: every job that
the apps register for the scheduler (tasteget/scheduling.py) except the
delivery sweep and the CRM poll, which have their own commands.

`manage.py run_scheduler` runs these jobs in production, each once per
period across every scheduler; this command is for a person or a test that
wants them to run now (`make run`, compose and Kubernetes run the scheduler).
An error ends the command, as any command's would.
"""

from django.core.management.base import BaseCommand

from tasteget.scheduling import HOUR, MINUTE, registered

OWN_COMMANDS = {"sweep_deliveries", "crm_poll"}


def run_once(daily=True, hourly=True):
    """The every-minute jobs; the hourly and the daily ones too when asked."""
    for job in registered():
        if job.name in OWN_COMMANDS:
            continue
        if job.period <= MINUTE or (hourly and job.period <= HOUR) or (daily and job.period > HOUR):
            job.run()


class Command(BaseCommand):
    help = "Run the recurring jobs (scheduled publishing, digests, pruning, purges) once, now."

    def handle(self, *args, **options):
        run_once()
