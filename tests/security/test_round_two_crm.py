"""The follow-up's task is keyed as SuperOffice
keys it, and an overlong webhook id is refused without a 500.

The fake tenant (tests/fake_superoffice.py) follows SuperOffice's REST
reference, not our adapter: an appointment's `Task` is a TaskListItem keyed
`TaskListItemId`, and a body with `{"Id": …}` is refused.
"""

import json
import uuid

import pytest
from django.utils import timezone

from intake.answers import signature
from intake.models import CrmEvent, Delivery
from intake.outbox.adapters import base, superoffice
from tests.conftest import GUIDANCE
from tests.test_crm_check import crm_check, ready  # noqa: F401 - a fixture
from tests.test_superoffice import drain, tenant  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_fake_tenant_refuses_a_task_keyed_id_as_superoffice_does(tenant):  # noqa: F811
    adapter = superoffice.SuperOfficeAdapter()
    default = adapter.json_of(adapter.call("GET", "Appointment/default"))
    assert default["Task"]["TaskListItemId"] == 3 and "Id" not in default["Task"]
    with pytest.raises(base.DeliveryError) as refused:
        adapter.call("POST", "Appointment", json={**default, "Task": {"Id": 3}})
    assert refused.value.status == 400


@pytest.mark.parametrize("task_setting", [0, 3])
def test_a_guidance_follow_up_is_created_with_its_task_list_item(tenant, submit, settings, task_setting):  # noqa: F811
    settings.SUPEROFFICE_FOLLOWUP_TASK_ID = task_setting
    submit("/anmal-intresse/", GUIDANCE)
    drain()
    delivery = Delivery.objects.get(channel="crm", registration__kind="guidance")
    assert delivery.status == "delivered", delivery.last_error
    (appointment,) = tenant.appointments.values()
    assert appointment["Task"]["TaskListItemId"] == 3
    assert "Id" not in appointment["Task"]


def test_crm_check_reads_the_task_list_item_of_the_default(ready):  # noqa: F811
    out, error = crm_check()
    assert "Follow-ups get type inDiary and task 3." in out
    assert "Appointment/default gives no type or task" not in out


# --- Point 2: the webhook ------------------------------------------------

SECRET = "shared-webhook-secret"


@pytest.fixture
def webhook(settings):
    settings.SUPEROFFICE_ANSWERS = "webhook"
    settings.SUPEROFFICE_WEBHOOK_SECRET = SECRET


def post_event(client, **fields):
    payload = {
        "EventId": str(uuid.uuid4()),
        "Timestamp": timezone.now().isoformat(),
        "Event": "appointment.changed",
        "PrimaryKey": 12,
        "Entity": "appointment",
        "ContextIdentifier": "Cust12345",
        "ChangedByAssociateId": 17,
        "WebhookName": "tasteget-answers",
        **fields,
    }
    body = json.dumps(payload).encode()
    return client.post(
        "/crm/superoffice/webhook/",
        body,
        content_type="application/json",
        HTTP_X_SUPEROFFICE_SIGNATURE=signature(SECRET, body),
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"PrimaryKey": "1" * 41},
        {"PrimaryKey": int("9" * 60)},
        {"ChangedByAssociateId": "7" * 41},
        {"ChangedByAssociateId": "x" * 5000},
        {"PrimaryKey": "²"},  # a digit to str.isdigit, not to int()
        {"PrimaryKey": "١٢"},  # Arabic-Indic digits
        {"Event": "appointment.changed" + "x" * 100},
    ],
)
def test_a_signed_event_with_overlong_or_odd_ids_is_refused_and_nothing_stored(client, webhook, fields):
    response = post_event(client, **fields)
    assert response.status_code in (200, 400), response.status_code
    assert not CrmEvent.objects.exists()


def test_a_signed_event_with_ordinary_ids_is_still_stored(client, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = post_event(client, PrimaryKey=int("9" * 40), ChangedByAssociateId="17")
    assert response.status_code == 200
    row = CrmEvent.objects.get()
    assert row.primary_key == "9" * 40 and row.changed_by == "17"
