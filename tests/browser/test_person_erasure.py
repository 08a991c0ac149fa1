"""The data protection officer finds a person by e-mail, exports their data and
erases them; afterwards no admin page, export, log entry or task result
holds the address, the report figures are unchanged, and the CRM (the file
adapter the site runs with here) received the erasure."""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

EMAIL = "erika.erasure@example.org"


def either(english, swedish):
    """The label in English or Swedish: the branch's catalogue may not have it yet."""
    return re.compile(f"{re.escape(english)}|{re.escape(swedish)}")


QUERY = either("E-mail address or phone number", "E-postadress eller telefonnummer")

SETUP = f"""
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from intake import consent
from intake.models import Delivery
from intake.services import register
from intake.tasks import process
from places.models import Municipality
from tasteget.tasks import send_email
User = get_user_model()
if not User.objects.filter(username="dpo").exists():
    user = User.objects.create_user("dpo", "dpo@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Dataskyddsombud"))
    User.objects.create_superuser("erasure-admin", "admin@example.org", "a-long-test-password")
version, _text = consent.current("guidance")
outcome = register(
    kind="guidance",
    cleaned={{"first_name": "Erika", "last_name": "Radera", "email": "{EMAIL}", "phone": "070-999 88 77",
             "preferred_contact": "email", "message": "Hej"}},
    municipality=Municipality.objects.in_default_locale().get(slug="are"),
    source="tasteget.nu", language="sv", submission_key="browser-erasure", consent_version=version,
)
for delivery in Delivery.objects.filter(registration=outcome.registration):
    process(delivery.pk)
send_email.enqueue(["{EMAIL}"], "Till Erika", "Hej Erika")
print(outcome.registration.pk)
"""

FIGURES = """
import json
from django.db.models import Count
from intake.models import Registration
print(json.dumps(list(Registration.objects.values("kind", "municipality", "contact_status").annotate(n=Count("pk"))
      .order_by("kind", "municipality", "contact_status"))))
"""

RESIDUE = f"""
import json
from django.db.models import Q
from django_tasks_db.models import DBTaskResult
from intake.models import AccessLogEntry, Delivery, Registration
from wagtail.models import ModelLogEntry
from intake.tasks import process
for delivery in Delivery.objects.filter(action="erase"):
    process(delivery.pk)
needle = "{EMAIL}"
print(json.dumps({{
    "registrations": Registration.objects.filter(Q(email__icontains=needle) | Q(first_name="Erika")).count(),
    "deliveries": Delivery.objects.filter(Q(recipient__icontains=needle) | Q(last_error__icontains=needle)).count(),
    "tasks": DBTaskResult.objects.filter(args_kwargs__icontains=needle).count(),
    "log": ModelLogEntry.objects.filter(Q(label__icontains="erika") | Q(data__icontains=needle)).count(),
    "access": sum(needle in str(vars(entry)) for entry in AccessLogEntry.objects.all()),
    "erase_status": list(Delivery.objects.filter(action="erase").values_list("status", flat=True)),
}}))
"""


def login(page, url, username):
    page.goto(url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(url + "/admin/")


def test_the_officer_finds_exports_and_erases_a_person(site_server, page):
    registration_id = int(site_server.shell(SETUP).strip().splitlines()[-1])
    figures = site_server.shell(FIGURES)

    login(page, site_server.url, "dpo")

    page.goto(site_server.url + "/admin/personal-data/")
    page.get_by_label(QUERY).fill(EMAIL)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert f"#{registration_id}" in page.content()

    with page.expect_download() as download:
        page.get_by_role("button", name=either("Export as JSON", "Exportera som JSON")).click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert EMAIL in json.dumps(exported)
    with page.expect_download() as download:
        page.get_by_role("button", name=either("Export as Excel", "Exportera som Excel")).click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_label(
        either("I have checked the person's identity", "Jag har kontrollerat personens identitet")
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name=either("Erase this person", "Radera den här personen")).click()
    page.wait_for_url("**/admin/personal-data/receipts/*/")
    assert f"#{registration_id}" in page.content() and EMAIL not in page.content()

    residue = json.loads(site_server.shell(RESIDUE))
    assert residue == {
        "registrations": 0,
        "deliveries": 0,
        "tasks": 0,
        "log": 0,
        "access": 0,
        "erase_status": ["delivered"],
    }
    assert site_server.shell(FIGURES) == figures

    for path in ("/admin/personal-data/access-log/", page.url.removeprefix(site_server.url)):
        assert page.goto(site_server.url + path).status == 200, path
        assert EMAIL not in page.content() and "Erika" not in page.content(), path
    page.goto(site_server.url + "/admin/personal-data/")
    page.get_by_label(QUERY).fill(EMAIL)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "Inget på webbplatsen hör till" in page.content() or "Nothing on the site" in page.content()

    # What a superuser sees of the registration: the anonymous row only.
    admin = page.context.browser.new_context(locale="sv-SE").new_page()
    login(admin, site_server.url, "erasure-admin")
    for path in (f"/admin/registrations/inspect/{registration_id}/", "/admin/registrations/"):
        assert admin.goto(site_server.url + path).status == 200, path
        assert EMAIL not in admin.content() and "Erika" not in admin.content(), path
    admin.context.close()

    outbox = Path(site_server.env["TASTEGET_VAR_DIR"]) / "test-crm-outbox.jsonl"
    crm_lines = [json.loads(line) for line in outbox.read_text().splitlines()]
    erasures = [line for line in crm_lines if line.get("action") == "erase"]
    assert len(erasures) == 1 and erasures[0]["registration_id"] == registration_id
    assert EMAIL not in json.dumps(erasures[0])
