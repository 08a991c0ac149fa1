"""The mover's own page: `/min-sida/<signed token>/`, reached by the link in
the confirmation e-mail, in the mover's language, never cached, no cookie,
every view in the access log; changes reach the advisers and the CRM
through the outbox; a question is relayed; an erasure request reaches the
data protection officer's person view; a new link is sent to whoever enters
the address, with the same answer either way."""

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.choices import ContactStatus
from intake.models import AccessLogEntry, Delivery, Registration, RegistrationUpdate
from intake.movers import mover_link
from tests.conftest import GUIDANCE, run_worker
from tests.test_newsletter_preferences import crm_file, crm_lines  # noqa: F401 - a fixture
from tests.test_one_case import AGAIN, ARE_ADVISERS, send_everything

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def registered(submit, path="/anmal-intresse/", data=None):
    """Register for guidance and send what the outbox holds; the case and the e-mailed page link."""
    mail.outbox.clear()
    assert submit(path, data or GUIDANCE).status_code == 302
    send_everything()
    case = Registration.objects.get(kind="guidance")
    confirmation = next(message for message in mail.outbox if message.to == [case.email])
    link = re.search(r"http://testserver(/\S*(?:min-sida|my-page|meine-seite)/\S+/)", confirmation.body).group(1)
    return case, link


def test_the_confirmation_email_links_the_page_which_shows_advisers_date_and_history(submit, client, crm_file):  # noqa: F811 - the fixture
    case, link = registered(submit)
    assert link.startswith("/min-sida/") and "example.org" not in link
    response = client.get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Oskar" in html or "oskar.are@example.org" in html
    assert "mailto:oskar.are@example.org" in html and "mailto:sara.are@example.org" in html
    assert case.due_date.strftime("%Y") in html  # the promised date
    assert "Ida" in html
    # Never cached, no cookie, not indexed.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert not response.cookies
    assert 'name="robots" content="noindex"' in html and 'rel="canonical"' not in html
    assert "csrfmiddlewaretoken" not in html


def test_every_view_is_in_the_access_log_by_id_only(client):
    case = guidance_case()
    link = mover_link(case)
    client.get(link)
    client.get(link)
    entries = AccessLogEntry.objects.filter(subject="mover page", action="view")
    assert entries.count() == 2
    assert {entry.objects_touched for entry in entries} == {f"registration {case.pk}"}
    assert "ida" not in " ".join(entry.username for entry in entries).lower()


def guidance_case(language="en", **fields):
    from places.models import Municipality
    from tests.factories import RegistrationFactory

    values = {
        "kind": "guidance",
        "municipality": Municipality.objects.in_default_locale().get(slug="are"),
        "language": language,
        "email": "ida@example.org",
        "first_name": "Ida",
        "phone": "+46701234567",
        "preferred_contact": "email",
        "topics": ["remote_work", "housing"],
        "due_date": timezone.localdate(),
        **fields,
    }
    return RegistrationFactory(**values)


def test_the_page_is_in_the_registrations_language(client):
    case = guidance_case(language="ar")
    link = mover_link(case)
    assert link.startswith("/ar/my-page/")
    html = client.get(link).content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert mover_link(guidance_case(language="de", email="b@example.org")).startswith("/de/meine-seite/")


def test_the_history_reads_as_words_from_the_contact_record(client):
    case = guidance_case(contact_status=ContactStatus.IN_DIALOGUE, contacted_at=timezone.now())
    html = client.get(mover_link(case)).content.decode()
    assert "We received your registration for" in html
    assert "Your adviser contacted you on" in html
    assert "You are in dialogue with your moving adviser." in html
    Registration.objects.filter(pk=case.pk).update(contact_status=ContactStatus.MOVED)
    assert "You have moved here. Welcome!" in client.get(mover_link(case)).content.decode()


@pytest.mark.parametrize("token", ["not-a-token", "eyJyIjoxfQ:1vO:forged", "x" * 300])
def test_a_tampered_link_gets_a_translated_400_page_with_the_new_link_form(client, token):
    response = client.get(f"/en/my-page/{token}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The link does not work" in html and 'name="email"' in html
    swedish = client.get(f"/min-sida/{token}/")
    assert swedish.status_code == 400 and "Länken fungerar inte" in swedish.content.decode()
    assert client.post(f"/en/my-page/{token}/", {"change": "1"}).status_code == 400


def test_an_expired_link_gets_the_same_page_and_the_setting_decides(client, settings):
    case = guidance_case()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 24 * 3600):
        old = mover_link(case)
    assert client.get(old).status_code == 400
    settings.MOVER_PAGE_MAX_AGE = 90 * 24 * 3600
    assert client.get(old).status_code == 200


def test_another_links_token_or_an_erased_case_does_not_open_the_page(client):
    from intake.subscribers import preferences_link

    case = guidance_case()
    token = preferences_link(case).rstrip("/").rsplit("/", 1)[1]  # another salt
    assert client.get(f"/en/my-page/{token}/").status_code == 400
    link = mover_link(case)
    Registration.objects.filter(pk=case.pk).update(email="", anonymised_at=timezone.now())
    assert client.get(link).status_code == 400


def test_changing_the_phone_reaches_the_advisers_and_the_crm(client, crm_file, django_capture_on_commit_callbacks):  # noqa: F811 - the fixture
    case = guidance_case()
    link = mover_link(case)
    data = {
        "change": "1",
        "phone": "070-555 66 77",
        "preferred_contact": "phone",
        "move_when": "",
        "topics": case.topics,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, data)
    assert response.status_code == 302
    assert "Your changes are saved." in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert (case.phone, case.preferred_contact) == ("+46705556677", "phone")
    update = case.updates.get(kind=RegistrationUpdate.Kind.CHANGED)
    assert update.changed == ["phone", "preferred_contact"] and update.earlier["phone"] == "+46701234567"
    deliveries = case.deliveries.filter(update=update)
    assert {(d.channel, d.recipient) for d in deliveries} == {("crm", "")} | {
        ("adviser_email", address) for address in ARE_ADVISERS
    }
    assert all(d.action == Delivery.Action.UPDATE and d.task_id for d in deliveries)
    mail.outbox.clear()
    send_everything()
    sent = crm_lines(crm_file)[-1]
    assert sent["action"] == "update" and sent["update"]["kind"] == "changed"
    assert sent["update"]["changed"] == ["phone", "preferred_contact"]
    assert sent["person"]["phone"] == "+46705556677"
    adviser_mail = [message for message in mail.outbox if message.to[0] in ARE_ADVISERS]
    assert len(adviser_mail) == 2
    assert "ändrade sina uppgifter" in adviser_mail[0].subject or "changed their details" in adviser_mail[0].subject
    assert "+46705556677" not in adviser_mail[0].body  # names the fields, never their values (as "again")
    assert AccessLogEntry.objects.filter(subject="mover page", action="change").count() == 1
    assert "changed" in client.get(link).content.decode().lower()


def test_saving_the_same_details_changes_nothing_and_sends_nothing(client):
    case = guidance_case()
    data = {"change": "1", "phone": case.phone, "preferred_contact": "email", "move_when": "", "topics": case.topics}
    response = client.post(mover_link(case), data)
    assert response.status_code == 302 and "oforandrat" in response["Location"]
    assert not case.deliveries.exists() and not case.updates.exists()


def test_bad_input_is_a_translated_error_on_the_page_not_a_500(client):
    case = guidance_case()
    data = {"change": "1", "phone": "nonsense", "preferred_contact": "phone", "topics": ["atlantis"]}
    response = client.post(mover_link(case), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and "Enter a phone number" in html
    assert client.post(mover_link(case), {"ask": "1", "question": ""}).status_code == 200


def test_a_question_is_relayed_to_the_advisers_with_the_reply_going_to_the_mover(
    client, django_capture_on_commit_callbacks
):
    case = guidance_case()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(mover_link(case), {"ask": "1", "question": "Finns det förskola i Järpen?"})
    assert response.status_code == 302
    update = case.updates.get(kind=RegistrationUpdate.Kind.QUESTION)
    assert update.text == "Finns det förskola i Järpen?"
    mail.outbox.clear()
    send_everything()
    relayed = [message for message in mail.outbox if message.to[0] in ARE_ADVISERS]
    assert len(relayed) == 2
    assert "Finns det förskola i Järpen?" in relayed[0].body
    assert relayed[0].reply_to == ["ida@example.org"]
    assert not case.deliveries.filter(channel="crm").exists()  # a question is for the adviser


def test_questions_are_capped_per_day(client, settings):
    settings.INTAKE_AMBASSADOR_DAILY_LIMIT = 1
    case = guidance_case()
    assert client.post(mover_link(case), {"ask": "1", "question": "One"}).status_code == 302
    response = client.post(mover_link(case), {"ask": "1", "question": "Two"})
    assert response.status_code == 429 and "Two" in response.content.decode()


def test_an_erasure_request_reaches_the_data_protection_officers_person_view(client, admin_client):
    case = guidance_case()
    response = client.post(mover_link(case), {"erase": "1", "confirm": "on"})
    assert response.status_code == 302
    assert client.post(mover_link(case), {"erase": "1", "confirm": "on"}).status_code == 302
    assert case.updates.filter(kind=RegistrationUpdate.Kind.ERASURE).count() == 1
    page = admin_client.get("/admin/personal-data/").content.decode()
    assert 'id="erasure-requests-title"' in page and 'value="ida@example.org"' in page
    found = admin_client.post("/admin/personal-data/", {"q": "ida@example.org"})
    assert found.status_code == 200
    erased = admin_client.post("/admin/personal-data/erase/", {"q": "ida@example.org", "confirm": "on"})
    assert erased.status_code == 302
    assert 'id="erasure-requests-title"' not in admin_client.get("/admin/personal-data/").content.decode()


def test_an_erasure_request_needs_the_box_ticked(client):
    case = guidance_case()
    assert client.post(mover_link(case), {"erase": "1"}).status_code == 200
    assert not case.updates.exists()


def test_the_checklist_follows_the_topics_and_keeps_ticks_on_the_case(client):
    case = guidance_case()
    link = mover_link(case)
    html = client.get(link).content.decode()
    assert 'value="coworking"' in html  # remote work
    assert 'value="ask:housing"' in html  # no content of its own: ask the adviser
    assert 'value="ambassadors"' not in html  # not asked for
    response = client.post(link, {"ticks": "1", "done": ["coworking", "forged-key"]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.checklist_ticks == ["coworking"]
    assert re.search(r'value="coworking" checked', client.get(link).content.decode())
    assert "Done: 1 of" in client.get(link).content.decode()


def test_the_checklist_lists_the_next_meetups_of_the_municipality_and_the_county(client):
    from events.models import EventPage

    are = EventPage.objects.live().filter(locale__language_code="en", municipality__slug="are").first()
    elsewhere = (
        EventPage.objects.live()
        .exclude(municipality__slug="are")
        .filter(locale__language_code="en", municipality__kind="municipality")
    )
    assert are is not None and elsewhere.exists()
    case = guidance_case(topics=["networks"])
    html = client.get(mover_link(case)).content.decode()
    assert f'value="meetup:{are.translation_key}"' in html and are.url in html
    assert all(other.url not in html for other in elsewhere)
    # Topics that do not ask for meet-ups leave them out.
    other = guidance_case(topics=["housing"], email="other@example.org")
    assert "meetup:" not in client.get(mover_link(other)).content.decode()


def test_a_new_link_is_asked_for_with_the_same_answer_whether_or_not_the_address_is_known(
    client, django_capture_on_commit_callbacks
):
    guidance_case()

    def ask(email):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/my-page/", {"email": email})
        page = client.get(response["Location"])
        return response.status_code, response["Location"], page.content.decode()

    known = ask("IDA@example.org ")
    unknown = ask("nobody@example.org")
    assert known == unknown
    assert "a new link is on its way" in known[2]
    assert mail.outbox == []  # nothing looked up or sent in the request
    run_worker()
    assert [message.to for message in mail.outbox] == [["IDA@example.org"]]
    assert "/en/my-page/" in mail.outbox[0].body


def test_new_links_are_rate_limited_and_capped_per_address(client, settings, django_capture_on_commit_callbacks):
    guidance_case()
    settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = 1
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post("/en/my-page/", {"email": "ida@example.org"}).status_code == 302
    run_worker()
    assert len(mail.outbox) == 1
    settings.INTAKE_RATE_LIMIT = 0
    response = client.post("/en/my-page/", {"email": "ida@example.org"})
    assert response.status_code == 429 and "Too many forms" in response.content.decode()


def test_the_page_is_never_put_in_the_page_cache(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    link = mover_link(guidance_case())
    client.get(link)
    response = client.get(link)
    assert "X-Page-Cache" not in response
    assert AccessLogEntry.objects.filter(subject="mover page").count() == 2


def test_registering_again_leaves_one_case_and_mails_the_page_link(submit, client, crm_file):  # noqa: F811 - the fixture
    case, _link = registered(submit)
    mail.outbox.clear()
    assert submit("/anmal-intresse/", AGAIN).status_code == 302
    send_everything()
    assert Registration.objects.filter(kind="guidance").count() == 1
    confirmation = next(
        message for message in mail.outbox if message.to == ["IDA@Example.org"] or "ida" in message.to[0].lower()
    )
    assert "/min-sida/" in confirmation.body


def test_the_page_costs_at_most_ten_queries(client, uncached):
    link = mover_link(guidance_case(contacted_at=timezone.now()))
    client.get(link)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(link).status_code == 200
    assert len(queries) <= MAX_QUERIES, [query["sql"][:120] for query in queries]


def test_the_thank_you_page_leads_to_the_page(submit, client):
    response = submit("/en/register/", {**GUIDANCE}) if False else submit("/anmal-intresse/", GUIDANCE)
    html = client.get(response["Location"]).content.decode()
    assert 'href="/min-sida/"' in html
