"""Wagtail's tasks and ours share one durable queue in the database."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from home.models import ContentPage
from tasteget.tasks import send_email
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db


def test_wagtails_reference_index_task_is_queued_in_the_database_and_run_by_the_worker(home, page_by_slug):
    DBTaskResult.objects.all().delete()
    target = page_by_slug("om-ta-steget")
    page = ContentPage(title="Länkar", slug="lankar")
    page.body = [("call_to_action", {"title": "Läs mer", "link_text": "Om oss", "page": target})]
    home.add_child(instance=page)
    ReferenceIndex.objects.filter(base_content_type__model="contentpage", object_id=str(page.pk)).delete()

    queued = DBTaskResult.objects.filter(task_path="wagtail.tasks.update_reference_index_task")
    assert queued.filter(status="READY").exists()
    assert not ReferenceIndex.get_references_to(target).filter(object_id=str(page.pk)).exists()

    run_worker()

    assert queued.exclude(status="SUCCESSFUL").count() == 0
    assert ReferenceIndex.get_references_to(target).filter(object_id=str(page.pk)).exists()


def test_our_email_task_runs_through_the_same_database_worker():
    DBTaskResult.objects.all().delete()
    result = send_email.enqueue(["adviser@example.org"], "Ny anmälan", "En ny anmälan väntar.")
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.task_path == "tasteget.tasks.send_email"
    assert stored.status == "READY"
    assert mail.outbox == []

    run_worker()

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL"
    assert [message.subject for message in mail.outbox] == ["Ny anmälan"]
    assert mail.outbox[0].to == ["adviser@example.org"]


def test_both_task_kinds_use_the_backend_configured_in_settings():
    from django_tasks_db import DatabaseBackend
    from wagtail.tasks import update_reference_index_task

    assert isinstance(update_reference_index_task.get_backend(), DatabaseBackend)
    assert isinstance(send_email.get_backend(), DatabaseBackend)
