"""A mover registers in Arabic, opens their own page from the confirmation
e-mail, sees the adviser and the promised date, changes the phone number;
the advisers and the CRM hear of it; registering again leaves one case. The
page, the new-link page and the broken-link page pass axe in sv, en, de, ar."""

import json
import re
from pathlib import Path

EMAIL = "mover.browser@example.org"

FIELDS = {
    "first_name": "ليلى",
    "last_name": "Haddad",
    "email": EMAIL,
    "phone": "070-123 45 67",
}

DELIVER = f"""
import json
from intake.models import Delivery, Registration
from intake.outbox.mail import email_for
from intake.tasks import process
cases = Registration.objects.filter(kind="guidance", email__iexact="{EMAIL}")
case = cases.get()
mails = []
for delivery in case.deliveries.filter(status__in=Delivery.OPEN).order_by("pk"):
    if delivery.channel != "crm":
        message = email_for(delivery)
        mails.append({{"to": message.to, "subject": message.subject, "body": message.body, "action": delivery.action}})
    process(delivery.pk)
print(json.dumps({{"cases": cases.count(), "language": case.language, "phone": case.phone, "mails": mails,
                  "statuses": sorted(set(case.deliveries.values_list("status", flat=True)))}}))
"""


def register(page, site_server):
    page.goto(site_server.url + "/ar/anmal-intresse/")
    for name, value in FIELDS.items():
        page.locator(f"input[name={name}]").fill(value)
    page.locator("select[name=municipality]").select_option("are")
    page.locator("input[name=preferred_contact][value=email]").check()
    page.locator("input[name=consent]").check()
    page.locator("form.intake-form [type=submit]").click()
    page.wait_for_load_state("load")


def deliver(site_server):
    return json.loads(site_server.shell(DELIVER).strip().splitlines()[-1])


def test_registered_in_arabic_the_mover_opens_their_page_and_changes_the_phone(site_server, page, axe):
    register(page, site_server)
    sent = deliver(site_server)
    assert sent["cases"] == 1 and sent["language"] == "ar"
    confirmation = next(mail for mail in sent["mails"] if mail["to"] == [EMAIL])
    link = re.search(r"http://[^/\s]+(/ar/my-page/\S+/)", confirmation["body"]).group(1)

    response = page.goto(site_server.url + link)
    assert "set-cookie" not in response.headers  # no cookie needed (the form page before set its own)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("a[href='mailto:oskar.are@example.org']").count() == 1  # the adviser
    assert page.locator(".adviser").count() >= 1
    assert page.locator("#advisers-title ~ p strong").count() == 1  # the promised date
    assert axe(page) == []

    page.locator("input[name=phone]").fill("070-555 66 77")
    page.locator("[type=submit][name=change]").click()
    page.wait_for_url("**?sparat=andrat*")  # the form's #fragment follows the redirect
    assert page.locator(".notice[role=status]").is_visible()
    assert axe(page) == []

    changed = deliver(site_server)
    assert changed["phone"] == "+46705556677"
    adviser_mails = [mail for mail in changed["mails"] if mail["to"] != [EMAIL]]
    assert {mail["to"][0] for mail in adviser_mails} == {"oskar.are@example.org", "sara.are@example.org"}
    assert all(mail["action"] == "update" for mail in adviser_mails)
    outbox = Path(site_server.env["TASTEGET_VAR_DIR"]) / "test-crm-outbox.jsonl"
    crm = [json.loads(line) for line in outbox.read_text().splitlines()]
    update = [line for line in crm if line["action"] == "update" and line["person"]["email"] == EMAIL][-1]
    assert update["update"]["kind"] == "changed" and update["person"]["phone"] == "+46705556677"

    register(page, site_server)  # the same e-mail again
    again = deliver(site_server)
    assert again["cases"] == 1

    token = link.rstrip("/").rsplit("/", 1)[1]
    for path in (f"/min-sida/{token}/", f"/en/my-page/{token}/", f"/de/meine-seite/{token}/"):
        page.goto(site_server.url + path)
        assert page.locator("h1").count() == 1
        assert axe(page) == [], path


def test_the_new_link_and_broken_link_pages_pass_axe_in_every_language(site_server, page, axe):
    for prefix, route in (("", "min-sida"), ("/en", "my-page"), ("/de", "meine-seite"), ("/ar", "my-page")):
        response = page.goto(f"{site_server.url}{prefix}/{route}/trasig-lank/")
        assert response.status == 400
        assert axe(page) == [], prefix
        page.goto(f"{site_server.url}{prefix}/{route}/")
        page.locator("form.intake-form [type=submit]").click()  # no address: the error summary
        assert page.locator(".error-summary").is_visible()
        assert axe(page) == [], prefix
    assert page.context.cookies() == []  # neither page sets one
