"""The site's recurring jobs while it runs (`make run`, compose): every
minute, scheduled pages go live (and expire) on time and, on working-day
mornings, each municipality's advisers get their digest of new and overdue
registrations; every hour, finished task results older than
TASK_RESULT_RETENTION_HOURS and old search statistics are deleted, erasures
not yet written to the erasure ledger are written (privacy/ledger.py) and, from
the first working day of a quarter, each municipality's report contacts get
the link to the quarterly report (once); once a day, registrations past
their retention lose their personal data (`purge_personal_data`,
intake/retention.py) and ambassador applications past their retention are
deleted, and so are access-log entries older than ACCESS_LOG_RETENTION_DAYS
and searches without results not searched for MISSED_SEARCH_RETENTION_DAYS.
Each purge logs its counts ("retention: …").

Every minute too, cache purges that Redis or a Varnish did not take when a
page was published (home.PendingPurge) are sent again: a cache outage never
stops a publish or this loop.

A database outage does not stop the loop: the round is logged and tried
again at the next minute.
"""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from home.purge import retry_pending as retry_pending_purges
from intake import markers
from intake.models import prune_access_log
from intake.work import send_daily_digests
from privacy.ledger import write_pending as write_pending_erasures

logger = logging.getLogger(__name__)


def run_once(daily=True, hourly=True):
    """One round of the recurring jobs; the hourly and daily ones too when asked."""
    # Cache purges that a cache (Redis, a Varnish) did not take before; never raises.
    retry_pending_purges()
    call_command("publish_scheduled", verbosity=0)
    send_daily_digests()  # limits itself: working days from 07:00, once a day
    if hourly:
        # Finished task results hold e-mail bodies (relayed messages): kept a day at most.
        call_command("prune_task_results", verbosity=0)
        call_command("searchpromotions_garbage_collect", verbosity=0)
        # From 07:00 on the first working day of a quarter, once per contact (reports/quarterly_mail.py).
        call_command("send_quarterly_reports", verbosity=0)
        # Erasures whose ledger entry could not be written yet (privacy/ledger.py).
        write_pending_erasures()
    if daily:
        call_command("purge_personal_data", verbosity=0)
        call_command("purge_ambassador_applications", verbosity=0)
        call_command("prune_missed_searches", verbosity=0)
        prune_access_log()
        markers.forget_old()  # "digest sent", "message relayed" (intake/markers.py)


class Command(BaseCommand):
    help = "Run the recurring jobs (scheduled publishing) once, or every N seconds with --every."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every, **options):
        last_daily = last_hour = None
        while True:
            if every:  # a long-running loop: drop a connection a database outage broke
                close_old_connections()
            now = timezone.localtime()
            hour = now.replace(minute=0, second=0, microsecond=0)
            try:
                run_once(daily=last_daily != now.date(), hourly=last_hour != hour)
                last_daily, last_hour = now.date(), hour
            except DatabaseError:
                if not every:
                    raise
                logger.exception("Housekeeping round failed; trying again in %s s", every)
            if not every:
                return
            time.sleep(every)
