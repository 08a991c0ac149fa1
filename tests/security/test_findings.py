"""One test per finding that a request can show (docs/security.md)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents.models import Document

from ambassadors.models import Ambassador
from tests.conftest import form_values

pytestmark = pytest.mark.django_db


def test_language_switcher_of_a_404_never_links_to_another_host(client):
    for hostile in ("//evil.example/x/", "/\\evil.example/x/", "///evil.example/x/"):
        response = client.get("/x/", PATH_INFO=hostile)
        assert response.status_code == 404
        body = response.content.decode()
        assert 'href="//' not in body and 'href="/\\' not in body
        links = re.findall(r'href="([^"]*evil\.example[^"]*)"', body)
        on_this_site = [link for link in links if re.match(r"(http://testserver)?/[^/\\]", link)]
        assert links and on_this_site == links, links


def test_control_characters_in_query_parameters_are_dropped_not_sent_to_the_database(client):
    response = client.get("/ambassadorer/", {"intresse": "\x00", "kommun": "are\x00", "sprak": "s\x1bv"})
    assert response.status_code == 200
    assert response.context["chosen_interest"] == ""
    assert response.context["chosen_municipality"] == "are"
    assert client.get("/sok/", {"q": "fj\x00äll"}).status_code == 200


def test_a_path_with_nul_is_not_found(client):
    assert client.get("/om-oss/", PATH_INFO="/om\x00oss/").status_code == 404


def test_every_response_switches_off_unused_browser_features(client, admin_client):
    for response in (client.get("/"), client.get("/finns-inte/"), admin_client.get("/admin/")):
        policy = response.headers["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_admin_policy_allows_no_eval_and_frames_only_from_known_hosts(admin_client):
    policy = admin_client.get("/admin/").headers["Content-Security-Policy"]
    directives = dict(item.strip().split(" ", 1) for item in policy.split(";"))
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "https:" not in directives["frame-src"].split()


def test_django_admin_is_not_exposed(client, admin_client):
    assert client.get("/django-admin/").status_code == 404
    assert admin_client.get("/django-admin/").status_code == 404


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "page.htm", "x.xhtml"])
def test_documents_refuse_files_a_browser_runs_as_our_origin(admin_client, name):
    upload = SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="text/html")
    response = admin_client.post("/admin/documents/add/", {"title": "Evil", "file": upload})
    assert response.status_code == 200  # the form again, with its error
    assert not Document.objects.filter(title="Evil").exists()


def test_a_line_break_in_the_name_is_an_error_not_a_lost_message(client, django_capture_on_commit_callbacks):
    ambassador = Ambassador.objects.get(name="Mira")
    url = f"/en/ambassadors/{ambassador.pk}/"
    html = client.get(url).content.decode()
    data = {**form_values(html), "name": "Vera\r\nBcc: x@example.org", "email": "v@example.org", "consent": "on"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {**data, "message": "Hej!\nHur är vintrarna?"})
    assert response.status_code == 200
    assert "Write this on one line, without line breaks." in response.content.decode()
    assert "Hur är vintrarna?" in response.content.decode()  # the valid message is kept
    assert callbacks == []


def test_security_txt_tells_how_to_report_a_vulnerability(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Contact: mailto:security@tasteget.nu" in body
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body, re.M)
    assert client.get("/.well-known/security-policy.txt").status_code == 200


def test_newsletter_confirmation_links_expire_but_unsubscribe_links_do_not(client):
    from unittest import mock

    from intake.models import Registration
    from intake.subscribers import newsletter_link
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(kind="newsletter", email="n@example.org")
    confirm, unsubscribe = newsletter_link(registration, "confirm"), newsletter_link(registration, "unsubscribe")
    assert client.get(confirm).status_code == 200
    later = __import__("time").time() + 31 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(confirm).status_code == 404
        assert client.get(unsubscribe).status_code == 200
    assert Registration.objects.filter(pk=registration.pk, confirmed_at__isnull=True).exists()
