"""Becoming an ambassador: an application form whose details reach only the
Region's coordinators, with a consent record and the intake forms' protections."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from ambassadors.models import AmbassadorApplication
from intake import consent
from intake.forms import issue_token
from places.models import Municipality
from tests.conftest import form_values, run_worker

pytestmark = pytest.mark.django_db

SV = "/ambassadorer/bli-ambassador/"
EN = "/en/ambassadors/become-an-ambassador/"

APPLICATION = {
    "name": "Samira Haddad",
    "email": "samira@example.org",
    "phone": "070-123 45 67",
    "municipality": "are",
    "place": "Järpen",
    "moved_from": "Göteborg",
    "languages": "Svenska, arabiska, engelska",
    "interests": "skidor, matlagning",
    "text": "Jag flyttade hit 2021 och vill hjälpa andra att landa.",
    "consent": "on",
}


# The version of the profile consent text the form shows (form_values reads only the main one).
WITH_PROFILE = {"public_profile": "on", "profile_consent_version": consent.CURRENT[consent.AMBASSADOR_PROFILE]}


@pytest.fixture
def coordinators(settings):
    settings.AMBASSADOR_COORDINATOR_EMAILS = ["koordinator@region.example", "ersattare@region.example"]
    return settings.AMBASSADOR_COORDINATOR_EMAILS


def body(response):
    return response.content.decode()


def test_a_valid_application_is_stored_with_its_consent_record(submit, client, coordinators):
    response = submit(EN, {**APPLICATION, **WITH_PROFILE})
    assert response.status_code == 302
    assert response["Location"].startswith(EN + "?r=")
    assert "Thank you" in body(client.get(response["Location"]))

    application = AmbassadorApplication.objects.get()
    assert (application.name, application.email, application.phone) == (
        "Samira Haddad",
        "samira@example.org",
        "+46701234567",
    )
    assert application.municipality == Municipality.objects.in_default_locale().get(slug="are")
    assert (application.place, application.moved_from) == ("Järpen", "Göteborg")
    assert application.languages == APPLICATION["languages"] and application.text == APPLICATION["text"]
    with translation.override("en"):
        assert application.consent_text == str(consent.TEXTS[(consent.AMBASSADOR_APPLICATION, "2026-1")])
        assert application.profile_consent_text == str(consent.TEXTS[(consent.AMBASSADOR_PROFILE, "2026-1")])
    assert "12 months" in application.consent_text
    assert (application.consent_version, application.consent_language) == ("2026-1", "en")
    assert application.public_profile and application.profile_consent_version == "2026-1"
    assert application.consent_given_at is not None and application.source == "tasteget.nu"
    assert (application.status, application.handled_at) == ("new", None)

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you for your application" in body(thanks) and 'name="form_token"' not in body(thanks)


def test_without_the_profile_consent_no_profile_consent_is_recorded(submit):
    submit(SV, APPLICATION)
    application = AmbassadorApplication.objects.get()
    assert not application.public_profile
    assert application.profile_consent_text == application.profile_consent_version == ""
    assert application.consent_language == "sv"


def test_the_coordinators_get_one_email_without_the_applicants_contact_details(
    submit, coordinators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(EN, APPLICATION)
    application = AmbassadorApplication.objects.get()
    assert mail.outbox == []  # only the worker sends
    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == coordinators
    assert "Samira" in message.body and "Åre" in message.body
    assert f"http://testserver/admin/ambassador-applications/inspect/{application.pk}/" in message.body
    everything = message.subject + message.body + str(message.reply_to)
    for private in ("Haddad", "samira@example.org", "070-123 45 67", "+46701234567", "Järpen", APPLICATION["text"]):
        assert private not in everything, private


def test_without_coordinator_addresses_the_application_is_still_stored(
    submit, settings, django_capture_on_commit_callbacks
):
    settings.AMBASSADOR_COORDINATOR_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(EN, APPLICATION).status_code == 302
    run_worker()
    assert AmbassadorApplication.objects.count() == 1 and mail.outbox == []


def test_invalid_answers_show_errors_and_keep_every_valid_value(submit):
    response = submit(
        EN, {**APPLICATION, "name": "", "email": "not-an-address", "consent": "", "municipality": "atlantis"}
    )
    assert response.status_code == 200
    html = body(response)
    assert "<title>Error:" in html and "data-error-summary" in html
    assert "Your name: Enter your name." in html and "This field is required" not in html
    assert "Enter an e-mail address in the form name@example.org." in html
    assert "You need to agree before we can store your details." in html
    assert "Select a valid choice." in html
    for kept in ('value="not-an-address"', 'value="Järpen"', 'value="Göteborg"', 'value="skidor, matlagning"'):
        assert kept in html, kept
    assert APPLICATION["text"] in html and 'value="Svenska, arabiska, engelska"' in html
    assert AmbassadorApplication.objects.count() == 0


def test_errors_are_shown_in_the_visitors_language(submit):
    html = body(submit(SV, {**APPLICATION, "name": ""}))
    assert "Ditt namn: " in html and "Det här fältet är obligatoriskt" not in html
    assert AmbassadorApplication.objects.count() == 0


def test_a_region_slug_is_not_a_municipality_one_lives_in(submit):
    region = Municipality.objects.in_default_locale().get(kind="region")
    response = submit(EN, {**APPLICATION, "municipality": region.slug})
    assert response.status_code == 200 and "Select a valid choice." in body(response)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"website": "http://spam.example"}, "Leave this field empty"),
        ({"form_token": "forged"}, "The form could not be verified"),
        ({"form_token": "contact-form-token"}, "The form could not be verified"),
        ({"consent_version": "1999-1"}, "The consent text you saw is not known"),
        ({"public_profile": "on", "profile_consent_version": "1999-1"}, "The consent text you saw is not known"),
    ],
)
def test_spam_and_forged_forms_are_rejected_without_storing(submit, change, message):
    if change.get("form_token") == "contact-form-token":
        change = {"form_token": issue_token(consent.AMBASSADOR_CONTACT)}  # a real token, of another form
    response = submit(EN, {**APPLICATION, **change})
    assert response.status_code == 200
    assert message in body(response)
    assert AmbassadorApplication.objects.count() == 0


def test_a_form_sent_too_fast_is_rejected(submit, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 60
    response = submit(EN, APPLICATION)
    assert response.status_code == 200 and "quicker than a person" in body(response)
    assert AmbassadorApplication.objects.count() == 0


def test_a_rate_limited_sender_gets_429_and_keeps_the_answers(submit, settings):
    settings.INTAKE_RATE_LIMIT = 0
    response = submit(EN, APPLICATION)
    assert response.status_code == 429
    assert "Too many forms" in body(response) and 'value="samira@example.org"' in body(response)
    assert AmbassadorApplication.objects.count() == 0


def test_a_double_submit_stores_one_application_and_sends_one_email(
    client, coordinators, django_capture_on_commit_callbacks
):
    data = {**form_values(body(client.get(EN))), **APPLICATION}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(EN, data)
        second = client.post(EN, data)
    assert first.status_code == second.status_code == 302
    assert AmbassadorApplication.objects.count() == 1
    run_worker()
    assert len(mail.outbox) == 1


def test_the_form_is_linked_from_the_directory_and_never_cached(client):
    assert f'href="{SV}"' in body(client.get("/ambassadorer/"))
    assert f'href="{EN}"' in body(client.get("/en/ambassadors/"))
    for path in (SV, EN):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = body(client.get(EN))
    assert 'autocomplete="name"' in html and 'autocomplete="email"' in html and 'autocomplete="tel"' in html
    assert re.search(r'<label\s+for="id_name"', html) and 'maxlength="1000"' in html and "placeholder" not in html


def test_hostile_values_do_not_break_anything(submit, client, admin_client):
    with_nul = submit(EN, {**APPLICATION, "name": "Sam\x00ira", "text": "\x00", "municipality": "are\x00"})
    assert with_nul.status_code == 200 and AmbassadorApplication.objects.count() == 0
    script = "<script>alert(1)</script>"
    response = submit(EN, {**APPLICATION, "name": script, "languages": '"><img src=x onerror=alert(1)>'})
    assert response.status_code == 302
    application = AmbassadorApplication.objects.get()
    inspect = admin_client.get(f"/admin/ambassador-applications/inspect/{application.pk}/")
    assert inspect.status_code == 200
    assert script not in body(inspect) and "&lt;script&gt;" in body(inspect)
    listing = admin_client.get("/admin/ambassador-applications/")
    assert script not in body(listing)


# --- The admin ------------------------------------------------------------------


def user_in(django_user_model, client, group_name, username):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return client


@pytest.fixture
def application(submit):
    submit(EN, {**APPLICATION, "name": "=HYPERLINK(1) Samira"})
    return AmbassadorApplication.objects.get()


def admin_urls(pk):
    base = "/admin/ambassador-applications/"
    return [
        base,
        f"{base}?export=csv",
        f"{base}new/",
        f"{base}inspect/{pk}/",
        f"{base}edit/{pk}/",
        f"{base}delete/{pk}/",
        f"{base}history/{pk}/",
        f"{base}usage/{pk}/",
    ]


@pytest.mark.parametrize(
    ("group_name", "username"), [("Editors", "editor"), ("Flyttvägledare: Åre kommun", "are-adviser"), (None, "nobody")]
)
def test_users_without_the_permission_reach_no_application_by_any_url(
    client, django_user_model, application, group_name, username
):
    user_in(django_user_model, client, group_name, username)
    assert "/admin/ambassador-applications/" not in body(client.get("/admin/", follow=True))
    for url in admin_urls(application.pk):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert response.status_code != 302 or response["Location"].startswith(("/admin/", "/admin/login/")), url
        assert "samira@example.org" not in body(response), url
    client.post(f"/admin/ambassador-applications/edit/{application.pk}/", {"status": "accepted"})
    client.post(f"/admin/ambassador-applications/delete/{application.pk}/")
    application.refresh_from_db()
    assert application.status == "new"


def test_a_coordinator_sees_applications_and_records_a_decision_only(client, django_user_model, application):
    user_in(django_user_model, client, "Ambassadörssamordnare", "coordinator")
    assert "/admin/ambassador-applications/" in body(client.get("/admin/"))
    listing = client.get("/admin/ambassador-applications/")
    assert listing.status_code == 200
    assert f"/admin/ambassador-applications/inspect/{application.pk}/" in body(listing)
    inspect = client.get(f"/admin/ambassador-applications/inspect/{application.pk}/")
    assert "samira@example.org" in body(inspect) and application.consent_text in body(inspect)

    response = client.post(
        f"/admin/ambassador-applications/edit/{application.pk}/",
        {"status": "accepted", "name": "Someone else", "email": "other@example.org"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "accepted" and application.handled_at is not None
    assert (application.name, application.email) == ("=HYPERLINK(1) Samira", "samira@example.org")

    client.post(f"/admin/ambassador-applications/edit/{application.pk}/", {"status": "new"})
    application.refresh_from_db()
    assert application.handled_at is None

    assert client.get("/admin/ambassador-applications/new/").status_code in (302, 403)
    assert client.get(f"/admin/ambassador-applications/delete/{application.pk}/").status_code in (302, 403)
    assert AmbassadorApplication.objects.filter(pk=application.pk).exists()


def test_the_listing_filters_searches_and_exports_without_formulas(admin_client, application, submit):
    submit(EN, {**APPLICATION, "name": "Olle", "municipality": "berg"})
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    olle = AmbassadorApplication.objects.get(name="Olle")
    olle.status = "declined"
    olle.save()

    def listed(query):
        html = body(admin_client.get("/admin/ambassador-applications/", query))
        return {pk for pk in (application.pk, olle.pk) if f"/ambassador-applications/inspect/{pk}/" in html}

    assert listed({}) == {application.pk, olle.pk}
    assert listed({"q": "olle"}) == {olle.pk}
    assert listed({"status": "declined"}) == {olle.pk}
    assert listed({"municipality": berg.pk}) == {olle.pk}
    today = timezone.localdate()
    assert listed({"created_at_from": today.isoformat(), "created_at_to": today.isoformat()}) == {
        application.pk,
        olle.pk,
    }
    assert listed({"created_at_to": (today - datetime.timedelta(days=1)).isoformat()}) == set()

    export = admin_client.get("/admin/ambassador-applications/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    cells = {cell for row in rows[1:] for cell in row}
    assert "'=HYPERLINK(1) Samira" in cells and "=HYPERLINK(1) Samira" not in cells
    assert "samira@example.org" in cells
    assert admin_client.get("/admin/ambassador-applications/", {"export": "xlsx"}).status_code == 200
    # Applications come only from the public form, superusers included.
    assert admin_client.get("/admin/ambassador-applications/new/").status_code in (302, 403)


def test_applications_not_accepted_are_deleted_after_twelve_months(submit):
    for name in ("Old new", "Old declined", "Old accepted", "Recent"):
        submit(EN, {**APPLICATION, "name": name})
    old = timezone.now() - datetime.timedelta(days=366)
    AmbassadorApplication.objects.filter(name__startswith="Old").update(created_at=old)
    AmbassadorApplication.objects.filter(name="Old declined").update(status="declined")
    AmbassadorApplication.objects.filter(name="Old accepted").update(status="accepted")
    for application in AmbassadorApplication.objects.all():
        log(instance=application, action="wagtail.edit")  # the admin's history names the applicant
    call_command("purge_ambassador_applications", verbosity=0)
    assert set(AmbassadorApplication.objects.values_list("name", flat=True)) == {"Old accepted", "Recent"}
    assert set(ModelLogEntry.objects.filter(label__in=["Old new", "Old declined"])) == set()
    assert ModelLogEntry.objects.filter(label="Recent").exists()


def test_an_application_sent_from_an_untranslated_locale_is_stored_in_the_pages_language(submit, client):
    arabic = "/ar/ambassadorer/bli-ambassador/"
    page = client.get(arabic)
    assert page.status_code == 200
    assert '<html lang="sv" dir="ltr">' in body(page) and "language-fallback" in body(page)
    response = submit(arabic, APPLICATION)
    assert response.status_code == 302 and response["Location"].startswith(arabic + "?r=")
    application = AmbassadorApplication.objects.get(email=APPLICATION["email"])
    # The visitor read the Swedish form and consent text: that is what is recorded.
    assert application.consent_language == "sv"
    with translation.override("sv"):
        swedish_text = str(consent.TEXTS[(consent.AMBASSADOR_APPLICATION, "2026-1")])
    assert application.consent_text == swedish_text and swedish_text.startswith("Jag samtycker")


def coordinator_user(django_user_model, username, email, active=True):
    user = django_user_model.objects.create_user(username, email, "a-long-test-password", is_active=active)
    user.groups.add(Group.objects.get(name="Ambassadörssamordnare"))
    return user


def test_the_coordinators_group_is_told_without_any_setting(
    submit, settings, django_user_model, django_capture_on_commit_callbacks
):
    """The group's members are the coordinators; the setting only adds a shared mailbox."""
    settings.AMBASSADOR_COORDINATOR_EMAILS = ["Samordning@region.example"]
    coordinator_user(django_user_model, "kim", "kim@region.example")
    coordinator_user(django_user_model, "shared", "samordning@region.example")  # already listed: once
    coordinator_user(django_user_model, "left", "left@region.example", active=False)
    coordinator_user(django_user_model, "nomail", "")
    django_user_model.objects.create_user("editor", "editor@region.example", "a-long-test-password")
    with django_capture_on_commit_callbacks(execute=True):
        submit(EN, APPLICATION)
    run_worker()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["Samordning@region.example", "kim@region.example"]


def test_the_coordinators_dashboard_lists_applications_waiting_for_a_decision(
    submit, client, django_user_model, django_capture_on_commit_callbacks
):
    submit(EN, APPLICATION)
    submit(SV, {**APPLICATION, "name": "Olle Berg", "email": "olle@example.org"})
    AmbassadorApplication.objects.filter(email="olle@example.org").update(status="accepted")
    waiting = AmbassadorApplication.objects.get(email="samira@example.org")

    client.force_login(coordinator_user(django_user_model, "kim", "kim@region.example"))
    html = body(client.get("/admin/"))
    assert "1 application is waiting for a decision." in html or "1 ansökan väntar på beslut." in html
    assert f"/admin/ambassador-applications/inspect/{waiting.pk}/" in html
    assert "Olle" not in html and "Haddad" not in html  # first names only, and only the undecided

    editor = django_user_model.objects.create_user("editor", "editor@region.example", "a-long-test-password")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert "ambassador-applications-new" not in body(client.get("/admin/"))
