"""Retention (intake/retention.py): with a fixed clock, each rule removes the
personal data of exactly the registrations that are due and nothing else,
and a second run changes nothing. Rows stay as anonymous statistics, so the
figures a report counts do not change."""

import datetime
import hashlib
import json
import logging

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils import timezone

from home.management.commands.housekeeping import run_once
from intake import retention
from intake.choices import Kind
from intake.models import Consent, Delivery, Registration
from intake.services import unsubscribe_newsletter
from intake.subscribers import newsletter_link
from tests.conftest import run_worker
from tests.factories import DeliveryFactory, MunicipalityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 6, 15, 12, 0, tzinfo=datetime.UTC)
DELIVERED = Delivery.Status.DELIVERED


def ago(**kwargs):
    return NOW - datetime.timedelta(**kwargs)


def months_ago(months):
    return retention.months_before(NOW, months)


def registration(name, *, kind=Kind.GUIDANCE, created=None, crm=DELIVERED, crm_at=None, adviser=DELIVERED, **fields):
    """A registration with its consent, a CRM delivery and (guidance) an adviser e-mail."""
    row = RegistrationFactory(
        kind=kind,
        first_name=name,
        email=f"{name.lower()}@example.org",
        phone="070-111 22 33",
        town="Trondheim",
        message="Vi vill bo nära fjällen.",
        created_at=created or months_ago(14),
        **fields,
    )
    if crm:
        DeliveryFactory(registration=row, status=crm, delivered_at=crm_at if crm == DELIVERED else None)
    if kind == Kind.GUIDANCE and adviser:
        DeliveryFactory(
            registration=row, channel=Delivery.Channel.ADVISER_EMAIL, recipient="radgivare@example.org", status=adviser
        )
    DeliveryFactory(
        registration=row,
        channel=Delivery.Channel.CONFIRMATION_EMAIL,
        recipient=row.email,
        status=DELIVERED,
        last_error="",
    )
    return row


def personal(name):
    row = Registration.objects.get(submission_key=name)
    return row.anonymised_at is None and row.email.startswith(name.lower())


def keyed(name, **kwargs):
    return registration(name, submission_key=name, **kwargs)


def snapshot():
    """Every registration's fields, to show a second run changes nothing."""
    return list(Registration.objects.order_by("pk").values()), list(Delivery.objects.order_by("pk").values())


def report_figures():
    """What a quarterly report counts: registrations per kind, municipality, month and status."""
    return list(
        Registration.objects.values("kind", "municipality", "created_at__year", "created_at__month", "contact_status")
        .annotate(count=Count("pk"))
        .order_by("kind", "municipality", "created_at__year", "created_at__month", "contact_status")
    )


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert retention.months_before(NOW, 12) == datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
    march_31 = datetime.datetime(2027, 3, 31, tzinfo=datetime.UTC)
    assert retention.months_before(march_31, 1) == datetime.datetime(2027, 2, 28, tzinfo=datetime.UTC)
    assert retention.months_before(march_31, 3) == datetime.datetime(2026, 12, 31, tzinfo=datetime.UTC)


def test_guidance_loses_its_personal_data_twelve_months_after_delivery_and_first_contact():
    keyed("Due", contacted_at=months_ago(13), contact_status="moved", crm_at=months_ago(13))
    keyed("Contacted_recently", contacted_at=months_ago(11), contact_status="contacted", crm_at=months_ago(13))
    keyed("Delivered_recently", contacted_at=months_ago(13), contact_status="contacted", crm_at=months_ago(11))
    keyed("Never_contacted", crm_at=months_ago(13))
    keyed("Crm_failed", contacted_at=months_ago(13), contact_status="contacted", crm=Delivery.Status.FAILED)
    keyed("Adviser_mail_open", contacted_at=months_ago(13), crm_at=months_ago(13), adviser=Delivery.Status.RETRYING)
    figures = report_figures()

    counts = retention.purge(now=NOW)

    assert counts["guidance_anonymised"] == 1
    assert not personal("Due")
    for name in ("Contacted_recently", "Delivered_recently", "Never_contacted", "Crm_failed", "Adviser_mail_open"):
        assert personal(name), name
    due = Registration.objects.get(submission_key="Due")
    assert (due.first_name, due.email, due.phone, due.town, due.message) == ("", "", "", "", "")
    assert (due.kind, due.contact_status, due.anonymised_at) == (Kind.GUIDANCE, "moved", NOW)
    assert Consent.objects.filter(registration=due).exists()
    confirmation = due.deliveries.get(channel=Delivery.Channel.CONFIRMATION_EMAIL)
    assert confirmation.recipient == ""
    assert report_figures() == figures
    held = set(retention.held_back(NOW).values_list("submission_key", flat=True))
    assert held == {"Never_contacted", "Crm_failed", "Adviser_mail_open"}

    before = snapshot()
    assert retention.purge(now=NOW)["guidance_anonymised"] == 0
    assert snapshot() == before


def test_the_retention_follows_the_setting(settings):
    settings.REGISTRATION_RETENTION_MONTHS = 24
    keyed("Thirteen", contacted_at=months_ago(13), crm_at=months_ago(13))
    keyed("Twentyfive", contacted_at=months_ago(25), crm_at=months_ago(25), created=months_ago(26))
    retention.purge(now=NOW)
    assert personal("Thirteen") and not personal("Twentyfive")


def test_magazine_orders_go_three_months_after_the_mailing_list_was_sent():
    issue = {"kind": Kind.MAGAZINE, "magazine_issue": "2027:1", "street_address": "Storgatan 1", "postal_code": "83130"}
    keyed("Sent_long_ago", fulfilment="sent", fulfilled_at=months_ago(4), address_key="a", **issue)
    keyed("Sent_too", fulfilment="sent", fulfilled_at=months_ago(5), address_key="b", **issue)
    keyed("Sent_recently", fulfilment="sent", fulfilled_at=months_ago(2), address_key="c", **issue)
    keyed("Not_sent", fulfilment="new", address_key="d", **issue)
    keyed("Sent_in_the_form", fulfilment="sent", address_key="e", **issue)
    keyed(
        "Crm_open", fulfilment="sent", fulfilled_at=months_ago(4), crm=Delivery.Status.PENDING, address_key="f", **issue
    )

    counts = retention.purge(now=NOW)

    assert counts["magazine_anonymised"] == 2 and counts["magazine_clocks_started"] == 1
    assert not personal("Sent_long_ago") and not personal("Sent_too")
    for name in ("Sent_recently", "Not_sent", "Sent_in_the_form", "Crm_open"):
        assert personal(name), name
    gone = Registration.objects.get(submission_key="Sent_long_ago")
    assert (gone.street_address, gone.postal_code, gone.magazine_issue) == ("", "", "2027:1")
    assert gone.address_key == f"anonymised-{gone.pk}"
    # The order marked sent by hand starts its three months now, not at once.
    assert Registration.objects.get(submission_key="Sent_in_the_form").fulfilled_at == NOW
    assert set(retention.held_back(NOW).values_list("submission_key", flat=True)) == {"Crm_open"}

    before = snapshot()
    assert retention.purge(now=NOW) == {**dict.fromkeys(counts, 0), "held_back": 1}
    assert snapshot() == before


def test_newsletter_subscribers_keep_only_a_hash_and_the_crm_id_while_subscribed():
    keyed("Subscribed", kind=Kind.NEWSLETTER, confirmed_at=ago(days=3), topics=["jobs"])
    keyed("Crm_pending", kind=Kind.NEWSLETTER, confirmed_at=ago(days=3), crm=Delivery.Status.RETRYING)
    keyed("Unconfirmed_old", kind=Kind.NEWSLETTER, created=ago(days=31), crm=None)
    keyed("Unconfirmed_new", kind=Kind.NEWSLETTER, created=ago(days=10), crm=None)
    left = keyed("Left", kind=Kind.NEWSLETTER, confirmed_at=ago(days=60), unsubscribed_at=ago(days=2))
    DeliveryFactory(registration=left, action=Delivery.Action.UNSUBSCRIBE, status=DELIVERED, delivered_at=ago(days=2))
    left_pending = keyed("Left_pending", kind=Kind.NEWSLETTER, confirmed_at=ago(days=60), unsubscribed_at=ago(days=1))
    DeliveryFactory(registration=left_pending, action=Delivery.Action.UNSUBSCRIBE, status=Delivery.Status.PENDING)

    counts = retention.purge(now=NOW)

    assert (counts["newsletter_reduced"], counts["newsletter_anonymised"]) == (1, 2)
    subscribed = Registration.objects.get(submission_key="Subscribed")
    assert (subscribed.email, subscribed.first_name, subscribed.anonymised_at) == ("", "", None)
    assert subscribed.person_hash == hashlib.sha256(b"subscribed@example.org").hexdigest()
    assert subscribed.topics == ["jobs"] and subscribed.confirmed_at is not None
    assert not personal("Unconfirmed_old") and not personal("Left")
    assert Registration.objects.get(submission_key="Left").person_hash == ""
    for name in ("Crm_pending", "Unconfirmed_new", "Left_pending"):
        assert personal(name), name

    before = snapshot()
    assert retention.purge(now=NOW)["newsletter_reduced"] == 0
    assert snapshot() == before


@pytest.fixture
def webhook(settings):
    from tests import fake_crm

    server = fake_crm.start()
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    settings.CRM_WEBHOOK_SECRET = "a-test-secret"
    yield server
    server.shutdown()


def test_a_reduced_subscriber_can_still_unsubscribe_and_the_crm_hears_the_hash(
    webhook, client, django_capture_on_commit_callbacks
):
    row = keyed("Reader", kind=Kind.NEWSLETTER, confirmed_at=ago(days=3))
    Delivery.objects.filter(registration=row, channel=Delivery.Channel.CRM).update(crm_person_id="77")
    retention.purge(now=NOW)
    row.refresh_from_db()
    assert row.email == ""

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(newsletter_link(row, "unsubscribe"))
    assert response.status_code in (200, 302)
    run_worker()

    unsubscribe = row.deliveries.get(action=Delivery.Action.UNSUBSCRIBE)
    assert unsubscribe.status == DELIVERED
    assert webhook.received[-1][2] == hashlib.sha256(b"reader@example.org").hexdigest()
    sent = json.loads(webhook.requests[-1]["body"])
    assert sent["action"] == "unsubscribe" and sent["person"]["email"] == ""


def test_a_reduced_subscriber_is_withdrawn_in_superoffice_by_the_stored_person_id(
    settings, django_capture_on_commit_callbacks
):
    from tests import fake_crm

    server = fake_crm.start()
    try:
        settings.CRM_BACKEND = "superoffice"
        settings.SUPEROFFICE_API_URL = server.url + "/api/v1"
        settings.SUPEROFFICE_USERNAME = "tasteget"
        settings.SUPEROFFICE_PASSWORD = "secret"
        server.auth = "basic"
        row = keyed("Quiet", kind=Kind.NEWSLETTER, confirmed_at=ago(days=3))
        Delivery.objects.filter(registration=row, channel=Delivery.Channel.CRM).update(crm_person_id="4711")
        retention.purge(now=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            unsubscribe_newsletter(row)
        run_worker()
        assert row.deliveries.get(action=Delivery.Action.UNSUBSCRIBE).status == DELIVERED
        assert [path for path, _query in server.consents] == ["/api/v1/Person/4711/Consent/EMARKETING"]
        # No look-up by an empty address, which could match someone else.
        assert not [request for request in server.requests if request["method"] == "GET"]
    finally:
        server.shutdown()


def test_an_anonymised_subscription_cannot_be_unsubscribed_again():
    row = keyed("Gone", kind=Kind.NEWSLETTER, created=ago(days=40), crm=None)
    retention.purge(now=NOW)
    unsubscribe_newsletter(row)
    assert not row.deliveries.filter(action=Delivery.Action.UNSUBSCRIBE).exists()


def test_region_staff_see_what_is_held_back_on_the_dashboard_and_in_the_list(client, django_user_model):
    real_now = timezone.now()  # the dashboard reads the real clock
    long_ago = real_now - datetime.timedelta(days=420)
    stuck = registration("Stuck", contacted_at=long_ago, crm=Delivery.Status.FAILED, created=long_ago)
    registration("Fresh", created=real_now - datetime.timedelta(days=30))
    user = django_user_model.objects.create_user("region-1", "region-1@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client.force_login(user)
    dashboard = client.get("/admin/").content.decode()
    assert 'id="registrations-held-back-section"' in dashboard
    assert "?retention=held" in dashboard
    listing = client.get("/admin/registrations/", {"retention": "held"}).content.decode()
    assert f"#{stuck.pk} (Stuck)" in listing and "(Fresh)" not in listing


def test_an_adviser_does_not_get_the_retention_panel(client, django_user_model):
    municipality = MunicipalityFactory()
    user = django_user_model.objects.create_user("adviser-r", "adviser-r@example.org", "a-long-test-password")
    group = Group.objects.filter(name__startswith="Flyttvägledare").first()
    user.groups.add(group)
    client.force_login(user)
    assert municipality.pk
    assert 'id="registrations-held-back-section"' not in client.get("/admin/").content.decode()


def test_housekeeping_runs_the_purge_daily_and_logs_its_counts(caplog):
    keyed("Old", kind=Kind.NEWSLETTER, created=ago(days=400), crm=None)
    with caplog.at_level(logging.INFO):
        run_once(daily=True, hourly=False)
    assert not personal("Old")
    lines = [record.getMessage() for record in caplog.records if record.getMessage().startswith("retention:")]
    assert any("newsletter_anonymised=1" in line for line in lines)
    assert any("ambassador_applications_deleted=0" in line for line in lines)


def test_marking_the_mailing_list_sent_starts_the_orders_retention(client, django_user_model):
    order = registration("Order", kind=Kind.MAGAZINE, created=timezone.now() - datetime.timedelta(hours=1))
    Registration.objects.filter(pk=order.pk).update(fulfilment="new")
    user = django_user_model.objects.create_user("region-2", "region-2@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client.force_login(user)
    before = timezone.now()
    client.post("/admin/mailing-list/mark-sent/", {"until": timezone.now().isoformat()})
    order.refresh_from_db()
    assert order.fulfilment == "sent" and order.fulfilled_at >= before
