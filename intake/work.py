"""The advisers' work list: what is new, overdue and due this week, on the
admin dashboard and in a daily digest e-mail (counts and a link only)."""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from places.models import Adviser, Municipality
from tasteget.helpers import absolute_url
from tasteget.tasks import send_email

from . import markers
from .models import Registration
from .working_days import is_working_day

logger = logging.getLogger(__name__)

WORK = ("new", "overdue", "due_this_week")
DIGEST_FROM_HOUR = 7


def counts(registrations, today=None):
    """{"new": n, "overdue": n, "due_this_week": n} for these registrations."""
    today = today or timezone.localdate()
    return {
        "new": registrations.new().count(),
        "overdue": registrations.overdue(today).count(),
        "due_this_week": registrations.due_this_week(today).count(),
    }


def list_url(work):
    return reverse("intake_registration:index") + f"?work={work}"


def send_daily_digests(now=None):
    """E-mail each municipality's advisers their counts of new and overdue
    registrations: on working days from 07:00, at most once a day, nothing
    when there is nothing to do. Returns the municipalities told.

    "Sent today" is a marker in the database (intake/markers.py), claimed in
    the transaction that queues the e-mail: a cache restart cannot send it
    twice, and a failure to queue it does not mark it sent."""
    now = timezone.localtime(now)
    today = now.date()
    if not is_working_day(today) or now.hour < DIGEST_FROM_HOUR:
        return []
    told = []
    for municipality in Municipality.objects.in_default_locale():
        registrations = Registration.objects.filter(municipality=municipality)
        numbers = counts(registrations, today)
        if not (numbers["new"] or numbers["overdue"]):
            continue
        recipients = sorted(
            {adviser.email.lower() for adviser in Adviser.objects.filter(municipality=municipality, is_active=True)}
        )
        if not recipients:
            continue
        with transaction.atomic():
            if not markers.claim(f"digest:{today}:{municipality.pk}"):
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "municipality": municipality.name,
                    **numbers,
                    "new_url": absolute_url(list_url("new")),
                    "overdue_url": absolute_url(list_url("overdue")),
                }
                subject = render_to_string("intake/email/daily_digest_subject.txt", context).strip()
                body = render_to_string("intake/email/daily_digest.txt", context)
            send_email.enqueue(recipients, subject, body)
        told.append(municipality.slug)
    if told:
        logger.info("Daily digest sent for %d municipalities", len(told))
    return told
