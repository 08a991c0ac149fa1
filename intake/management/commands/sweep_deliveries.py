"""Re-enqueue deliveries nothing will send, and alert operators, once;
docs/crm-bridge.md explains why. The scheduler (`run_scheduler`) runs it
every minute, once across all schedulers.

`--every N` repeats it in a loop of its own (the fault bench, bench/faults.py,
uses it); such a loop claims nothing, so production runs the scheduler. A
database outage does not end the loop: the error is logged and the next
round comes after a back-off (doubling up to the interval).
"""

import contextlib
import logging
import time

from django.core.management.base import BaseCommand
from django.db import connections
from django.db.utils import InterfaceError, OperationalError

from intake.heartbeat import alert, beat
from intake.tasks import sweep

logger = logging.getLogger("intake.sweep")


def one_round():
    count = sweep()
    beat("sweep")
    alert()
    return count


class Command(BaseCommand):
    help = "Re-enqueue registrations' deliveries that are due but that nothing will send; alert operators."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every, **options):
        delay = 1
        while True:
            try:
                count = one_round()
            except (OperationalError, InterfaceError) as error:
                if not every:
                    raise
                logger.warning("sweep: database unavailable (%s); next try in %s s", type(error).__name__, delay)
                for connection in connections.all(initialized_only=True):
                    with contextlib.suppress(OperationalError, InterfaceError):
                        connection.close()
                time.sleep(delay)
                delay = min(delay * 2, every)
                continue
            delay = 1
            if count:
                logger.info("sweep: re-enqueued %s deliveries", count)
            if options["verbosity"]:
                self.stdout.write(f"Re-enqueued {count} deliveries.")
            if not every:
                return
            time.sleep(every)
