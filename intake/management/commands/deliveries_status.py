"""What an operator wants to know first: `manage.py deliveries_status`.

Counts per channel and status, how many are closed (sent, or closed unsent
and never to be sent), the oldest open delivery, expired claims
(a worker died mid-send), the CRM gate (breaker, pause) and the last
heartbeats of the worker and the sweep. Ids, counts and times only.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from intake.heartbeat import backlog, conditions, last_beat
from intake.models import Delivery
from intake.outbox import pacing


class Command(BaseCommand):
    help = "Summary of the delivery outbox for operators."

    def handle(self, *args, **options):
        now = timezone.now()
        rows = list(Delivery.objects.values("channel", "status").annotate(n=Count("pk")).order_by("channel", "status"))
        self.stdout.write("Deliveries (channel / status: count)")
        for row in rows:
            self.stdout.write(f"  {row['channel']:<20} {row['status']:<10} {row['n']}")
        closed = {row["status"]: row["n"] for row in rows if row["status"] in Delivery.CLOSED}
        self.stdout.write(
            f"Closed: {sum(closed.values())} (delivered {closed.get(Delivery.Status.DELIVERED, 0)}, "
            f"closed unsent {closed.get(Delivery.Status.CANCELLED, 0)})"
        )
        state = backlog(now)
        self.stdout.write(
            f"Open: {state['open']} (retrying {state['retrying']}), oldest {state['oldest_seconds']} s, "
            f"expired claims {state['claims_expired']}"
        )
        gate = pacing.state(settings.CRM_BACKEND)
        self.stdout.write(
            f"CRM {settings.CRM_BACKEND}: breaker {gate['breaker']}, failures in a row {gate['failures']}, "
            f"paused until {gate.get('paused_until') or '-'}, rate {pacing.rate(settings.CRM_BACKEND):g}/s"
        )
        for name, prefix in (("worker", "worker:"), ("sweep", "sweep")):
            beat = last_beat(prefix)
            ago = f"{int((now - beat).total_seconds())} s ago" if beat else "never"
            self.stdout.write(f"Last {name} heartbeat: {ago}")
        problems = conditions(now)
        for name, text in problems.items():
            self.stdout.write(f"ALERT {name}: {text}")
        if not problems:
            self.stdout.write("No alerts.")
