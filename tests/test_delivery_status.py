"""A delivery that will never be sent is "closed, not sent" (cancelled), not
delivered: the retention, the registration's status and the operators'
summary count it as closed, and the migration converts the rows that the
earlier code saved as delivered."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone, translation

from intake import retention
from intake.choices import Kind
from intake.models import Delivery, Registration
from tests.factories import DeliveryFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

DELIVERED = Delivery.Status.DELIVERED
CANCELLED = Delivery.Status.CANCELLED


def test_closed_is_sent_or_cancelled_and_failed_waits_for_a_person():
    assert set(Delivery.CLOSED) == {DELIVERED, CANCELLED}
    assert set(Delivery.OPEN) == {Delivery.Status.PENDING, Delivery.Status.RETRYING}
    assert Delivery.Status.FAILED not in {*Delivery.OPEN, *Delivery.CLOSED}


def test_a_cancelled_delivery_does_not_hold_a_registration_back_from_the_purge():
    old = timezone.now() - datetime.timedelta(days=31)
    unconfirmed = RegistrationFactory(kind=Kind.NEWSLETTER, due_date=None)
    Registration.objects.filter(pk=unconfirmed.pk).update(created_at=old)
    DeliveryFactory(registration=unconfirmed, channel=Delivery.Channel.CONFIRMATION_EMAIL, status=CANCELLED)
    failed = RegistrationFactory(kind=Kind.NEWSLETTER, due_date=None)
    Registration.objects.filter(pk=failed.pk).update(created_at=old)
    DeliveryFactory(registration=failed, channel=Delivery.Channel.CONFIRMATION_EMAIL, status=Delivery.Status.FAILED)

    assert retention.purge()["newsletter_anonymised"] == 1
    assert Registration.objects.get(pk=unconfirmed.pk).anonymised_at is not None
    assert Registration.objects.get(pk=failed.pk).anonymised_at is None  # a person must look at it first


def test_the_registration_is_delivered_when_any_delivery_was_sent_else_closed_unsent():
    both = RegistrationFactory()
    DeliveryFactory(registration=both, status=DELIVERED, channel=Delivery.Channel.CONFIRMATION_EMAIL)
    DeliveryFactory(registration=both, status=CANCELLED, last_error="Not sent: the person unsubscribed first.")
    unsent = RegistrationFactory()
    DeliveryFactory(registration=unsent, status=CANCELLED, last_error="Not sent: the person asked to be erased.")
    assert both.delivery_status == DELIVERED and both.last_error == ""
    assert unsent.delivery_status == CANCELLED
    with translation.override("sv"):
        assert unsent.delivery_status_label == "Stängd, inte skickad"


def test_the_operators_summary_counts_the_closed_deliveries(capsys):
    DeliveryFactory(status=DELIVERED, delivered_at=timezone.now())
    DeliveryFactory(status=CANCELLED)
    DeliveryFactory(status=CANCELLED)
    call_command("deliveries_status")
    assert "Closed: 3 (delivered 1, closed unsent 2)" in capsys.readouterr().out


def test_the_migration_cancels_the_rows_saved_as_delivered_that_were_never_sent():
    migration = importlib.import_module("intake.migrations.0016_delivery_cancelled")
    now = timezone.now()
    earlier = now - datetime.timedelta(hours=1)

    def delivery(registration=None, **fields):
        return DeliveryFactory(registration=registration or RegistrationFactory(), status=DELIVERED, **fields)

    # Closed unsent, with the reason still on the row.
    marked = delivery(delivered_at=now, last_error="Not sent: the person unsubscribed first.")
    # Closed by an erasure: the same moment as the anonymisation (its reason blanked with the rest).
    erased = RegistrationFactory()
    Registration.objects.filter(pk=erased.pk).update(anonymised_at=now)
    erased_open = delivery(erased, channel=Delivery.Channel.ADVISER_EMAIL, recipient="a@example.org", delivered_at=now)
    erased_sent = delivery(erased, delivered_at=earlier, crm_person_id="501")
    # A subscription unsubscribed before it reached the CRM, anonymised since; and one that reached it first.
    left = RegistrationFactory(kind=Kind.NEWSLETTER, due_date=None)
    Registration.objects.filter(pk=left.pk).update(unsubscribed_at=earlier, anonymised_at=now)
    superseded = delivery(left, delivered_at=earlier + datetime.timedelta(seconds=5))
    unsubscribe = delivery(left, action=Delivery.Action.UNSUBSCRIBE, delivered_at=earlier + datetime.timedelta(1))
    stayed = RegistrationFactory(kind=Kind.NEWSLETTER, due_date=None)
    Registration.objects.filter(pk=stayed.pk).update(unsubscribed_at=now)
    reached = delivery(stayed, delivered_at=earlier, crm_person_id="77")
    # Sent, and open: untouched.
    sent = delivery(delivered_at=now)
    waiting = DeliveryFactory(status=Delivery.Status.RETRYING)

    migration.cancel(apps, None)

    statuses = {row.pk: (row.status, row.delivered_at is None) for row in Delivery.objects.all()}
    for row in (marked, erased_open, superseded):
        assert statuses[row.pk] == (CANCELLED, True), row
    for row in (erased_sent, unsubscribe, reached, sent):
        assert statuses[row.pk] == (DELIVERED, False), row
    assert statuses[waiting.pk] == (Delivery.Status.RETRYING, True)

    migration.uncancel(apps, None)
    assert not Delivery.objects.filter(status=CANCELLED).exists()
    assert Delivery.objects.filter(status=DELIVERED, delivered_at__isnull=True).count() == 0
