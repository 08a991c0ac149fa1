"""Delivery guarantees on the compose layout.

- The circuit breaker never lengthens a server's Retry-After.
- With ONE worker process, e-mails never wait behind a hanging CRM: CRM
  deliveries have their own task queue, and `run_worker --queue-name '*'`
  runs it in a lane of its own beside the lane of every other queue.
"""

import datetime
import os
import signal
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from intake import tasks
from intake.models import CrmGate, Delivery, Registration
from intake.outbox import pacing
from tests import fake_crm
from tests.conftest import GUIDANCE

SECRET = "whsec_YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE"


@pytest.fixture
def server():
    server = fake_crm.start()
    yield server
    server.shutdown()


@pytest.fixture
def webhook(settings, server):
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    settings.CRM_WEBHOOK_SECRET = SECRET
    settings.CRM_RATE_PER_SECOND = {"webhook": 1000.0}
    return server


@pytest.mark.django_db
@pytest.mark.parametrize("status", [503, 429])
def test_the_breaker_never_lengthens_a_retry_after(webhook, submit, settings, status):
    """The CRM is already failing (the breaker's next pause would be 60 s);
    it answers 503/429 with Retry-After: 30. The next attempt is at 30 s."""
    settings.CRM_BREAKER_FAILURES = 2
    settings.CRM_BREAKER_SECONDS = 30
    submit("/anmal-intresse/", GUIDANCE)
    delivery = Delivery.objects.get(channel="crm")
    CrmGate.objects.create(backend="webhook", failures=2)  # a 503 now: over=1, the breaker's pause 60 s
    webhook.plan = [(status, {"Retry-After": "30"}, b"busy")]
    before = timezone.now()
    assert tasks.process(delivery.pk) == "retrying"
    after = timezone.now()
    delivery.refresh_from_db()
    gate = CrmGate.objects.get(backend="webhook")
    thirty = datetime.timedelta(seconds=30)
    assert before + thirty <= delivery.next_attempt_at <= after + thirty
    assert before + thirty <= gate.open_until <= after + thirty, "the breaker lengthened the Retry-After"
    # At its time the delivery passes the gate (is not held for the breaker's 60 s).
    CrmGate.objects.filter(backend="webhook").update(open_until=gate.open_until - thirty, next_slot_at=None)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    webhook.plan = []
    assert tasks.process(delivery.pk) == "delivered"
    assert pacing.state("webhook")["breaker"] == "closed"


@pytest.mark.django_db
def test_without_a_retry_after_the_breaker_still_doubles(webhook, submit, settings):
    settings.CRM_BREAKER_FAILURES = 2
    settings.CRM_BREAKER_SECONDS = 30
    submit("/anmal-intresse/", GUIDANCE)
    delivery = Delivery.objects.get(channel="crm")
    CrmGate.objects.create(backend="webhook", failures=2)
    webhook.plan = [(503, {}, b"down")]
    before = timezone.now()
    tasks.process(delivery.pk)
    gate = CrmGate.objects.get(backend="webhook")
    assert gate.open_until >= before + datetime.timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_with_one_worker_the_confirmation_is_sent_while_the_crm_hangs(webhook, submit):
    """One `run_worker --queue-name '*'` process, as docker compose and
    `make run` start it. The CRM hangs until the registration's e-mails have
    gone (or 45 s have passed): with one lane for everything the worker would
    be stuck in the CRM call and no e-mail could go while it hangs. Then the
    worker gets SIGTERM, as `docker compose stop` sends it: the CRM lane
    finishes its delivery before the process ends."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from intake.management.commands import run_worker

    if connection.vendor == "sqlite":
        # The lanes are two threads with two connections; SQLite's shared
        # in-memory test database locks whole tables between them (production
        # and this test's CI run are PostgreSQL: DATABASE_URL=postgres://…).
        pytest.skip("two worker lanes at once need PostgreSQL")
    sent_while_hanging = []

    def hang():
        give_up = time.monotonic() + 45  # within the CRM deadline (60 s)
        while len(mail.outbox) < 3 and time.monotonic() < give_up:
            time.sleep(0.02)
        sent_while_hanging.append(len(mail.outbox))
        os.kill(os.getpid(), signal.SIGTERM)  # stop the worker; this answer still arrives

    webhook.plan = [("call", hang)]
    submit("/anmal-intresse/", GUIDANCE)
    registration = Registration.objects.get()
    DBTaskResult.objects.all().delete()  # the set-up's search-index tasks; fan out here
    tasks.fan_out(registration.pk)
    queues = dict(Delivery.objects.values_list("channel", "task_id"))
    assert DBTaskResult.objects.get(id=queues["crm"]).queue_name == "crm"
    assert DBTaskResult.objects.get(id=queues["confirmation_email"]).queue_name == "default"
    assert run_worker.lanes(["*"]) == [(["*"], ["crm"]), (["crm"], [])]

    saved = {name: signal.getsignal(name) for name in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("run_worker", nice=0, interval=0.01)
    except SystemExit as exit_:  # SIGTERM while the lane is idle: its clean exit
        assert exit_.code == 0
    finally:
        for name, handler in saved.items():
            signal.signal(name, handler)

    assert sent_while_hanging == [3], "the e-mails waited behind the hanging CRM"
    assert len(webhook.requests) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
