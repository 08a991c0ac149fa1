"""Publishing does what it says: scheduled pages go live on time."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from home.models import ContentPage
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db


def test_a_scheduled_page_goes_live_when_housekeeping_runs_after_its_time(client):
    page = ContentPageFactory(title="Vårens träff", slug="varens-traff", live=False)
    page.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    revision = page.save_revision()
    revision.publish()  # as the editor's "Publish" with a go-live date: scheduled, not live
    assert not ContentPage.objects.get(pk=page.pk).live
    assert type(revision).objects.get(pk=revision.pk).approved_go_live_at is not None

    call_command("housekeeping")  # before its time: nothing happens
    assert not ContentPage.objects.get(pk=page.pk).live

    # Its time comes (moved back rather than waited for).
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=past, content=revision.content)
    call_command("housekeeping")
    assert ContentPage.objects.get(pk=page.pk).live
    assert client.get("/varens-traff/").status_code == 200
