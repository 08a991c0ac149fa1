"""The quarterly e-mail: on the first working day of each quarter (from
07:00, Swedish time) each municipality's report contacts get a link to the
municipality's report for the quarter that just ended. A link and nothing
else: no figures about people, no personal data.

Once per quarter, contact and municipality, however often the scheduler
runs and even when two run at once: the `QuarterlyReportSent` row (unique)
and the queued e-mail (a row of the same database) are written in one
transaction. A day the scheduler was down is caught up on the next run in
the next two weeks.
"""

import datetime
import logging
import urllib.parse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from intake.working_days import is_working_day
from places.models import Municipality
from tasteget.helpers import absolute_url
from tasteget.tasks import send_email

from .figures import Period
from .models import QuarterlyReportSent

logger = logging.getLogger(__name__)
SEND_FROM_HOUR = 7
# A scheduler that was down on the day catches up within two weeks; later, a
# contact added mid-quarter is not sent an old quarter's link.
CATCH_UP = datetime.timedelta(days=14)


def first_working_day(period):
    day = period.start
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def report_url(period, municipality):
    query = urllib.parse.urlencode({"quarter": period.quarter_label, "municipality": municipality.slug})
    return absolute_url(reverse("reports_quarterly") + "?" + query)


def send_quarterly_reports(now=None):
    """Queue the e-mails not yet sent for the quarter that ended; returns the addresses told."""
    now = timezone.localtime(now)
    today = now.date()
    first = first_working_day(Period.quarter_of(today))
    if not first <= today <= first + CATCH_UP or (today == first and now.hour < SEND_FROM_HOUR):
        return []
    ended = Period.quarter_of(today).previous_quarter()
    label = ended.quarter_label
    told = []
    for municipality in Municipality.objects.in_default_locale().exclude(report_emails=""):
        already = set(
            QuarterlyReportSent.objects.filter(quarter=label, municipality=municipality).values_list("email", flat=True)
        )
        for email in municipality.report_contacts:
            if email in already:
                continue
            try:
                with transaction.atomic():
                    QuarterlyReportSent.objects.create(quarter=label, municipality=municipality, email=email)
                    send_email.enqueue([email], *message(ended, municipality))
            except IntegrityError:
                continue  # another run sent it a moment ago
            told.append(email)
    if told:
        logger.info("Quarterly report for %s sent to %d contacts", label, len(told))
    return told


def download_url(period, municipality):
    from .views import download_token

    return absolute_url(reverse("reports_shared", args=[download_token(period, municipality)]))


def message(period, municipality):
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "municipality": municipality.name,
            "quarter": period.quarter_label.replace("-", " "),
            "url": report_url(period, municipality),
            "download_url": download_url(period, municipality),
            "days": settings.REPORT_LINK_MAX_AGE_DAYS,
        }
        subject = render_to_string("reports/email/quarterly_subject.txt", context).strip()
        body = render_to_string("reports/email/quarterly.txt", context)
    return subject, body
