"""What /metrics shows about the delivery engine (tasteget/observability.py
registers it from settings.METRICS_COLLECTORS): deliveries open, retrying and
failed, the age of the oldest open one, the worker's heartbeat and the CRM
circuit, read from the database at scrape time (at most 3 queries)."""

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .heartbeat import last_beat
from .models import Delivery
from .outbox import pacing


class DeliveryCollector(Collector):
    """Gauges read at scrape time: the same whichever process answers."""

    def collect(self):
        now = timezone.now()
        open_ = Delivery.OPEN
        row = Delivery.objects.aggregate(
            open=Count("pk", filter=Q(status__in=open_)),
            retrying=Count("pk", filter=Q(status=Delivery.Status.RETRYING)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            oldest=Min("created_at", filter=Q(status__in=open_)),
        )
        deliveries = GaugeMetricFamily("tasteget_deliveries", "Deliveries by state.", labels=["state"])
        for state in ("open", "retrying", "failed"):
            deliveries.add_metric([state], row[state])
        yield deliveries
        oldest = (now - row["oldest"]).total_seconds() if row["oldest"] else 0
        yield GaugeMetricFamily(
            "tasteget_oldest_open_delivery_seconds", "Age of the oldest open delivery (0: none).", value=oldest
        )
        beat = last_beat("worker:")
        yield GaugeMetricFamily(
            "tasteget_worker_heartbeat_age_seconds",
            "Seconds since a worker last beat (-1: never).",
            value=(now - beat).total_seconds() if beat else -1,
        )
        state = pacing.state(settings.CRM_BACKEND)
        circuit = GaugeMetricFamily(
            "tasteget_crm_circuit_state", "The CRM circuit breaker: 1 for its current state.", labels=["state"]
        )
        for name in ("closed", "half-open", "open"):
            circuit.add_metric([name], 1 if state["breaker"] == name else 0)
        yield circuit
        yield GaugeMetricFamily(
            "tasteget_crm_consecutive_failures", "Temporary CRM failures in a row.", value=state["failures"]
        )
