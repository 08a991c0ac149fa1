"""Task results kept the relayed message and addresses indefinitely."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ambassadors.models import Ambassador
from tests.conftest import form_values, run_worker

pytestmark = pytest.mark.django_db


def test_a_relayed_message_leaves_the_task_table_after_the_retention(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TASK_RESULT_RETENTION_HOURS = 24
    DBTaskResult.objects.all().delete()
    ambassador = Ambassador.objects.get(name="Mira")
    url = f"/en/ambassadors/{ambassador.pk}/"
    data = {
        **form_values(client.get(url).content.decode()),
        "name": "Vera",
        "email": "vera@example.org",
        "message": "Hemligt meddelande",
        "consent": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    # A task still waiting is never deleted, however old.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(days=3))
    call_command("prune_task_results", verbosity=0)
    assert DBTaskResult.objects.count() == 1

    run_worker()
    finished = DBTaskResult.objects.get()
    assert finished.status == "SUCCESSFUL"
    assert "Hemligt meddelande" in str(finished.args_kwargs)
    call_command("prune_task_results", verbosity=0)
    assert DBTaskResult.objects.count() == 1  # younger than the retention

    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    call_command("prune_task_results", verbosity=0)
    assert not DBTaskResult.objects.exists()
    assert not any("Hemligt" in str(row) for row in DBTaskResult.objects.values_list("args_kwargs", flat=True))
