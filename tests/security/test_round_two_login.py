"""The second factor everywhere a login counts.

8. Pages and document collections private "for logged-in users" open only
   after the second factor (when WAGTAIL_2FA_REQUIRED); `/_util/login/`
   passes on to it.
14. The session key is renewed when the code is accepted.
16. After wrong codes the pause is said in words, wrong codes during it do
    not extend it, and `manage.py reset_two_factor_throttle` lets the real
    user in again.
20. A wrong code's message is in the page (not in Wagtail's hidden
    `.w-field__errors`) and announced (role="alert"); recovery codes typed in
    capitals, with spaces or dashes count.
"""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def two_factors(settings):
    settings.WAGTAIL_2FA_REQUIRED = True


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.org", PASSWORD)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd2345")
    return user


def code_for(user):
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def private_page():
    page = ContentPageFactory(title="Intern sida", slug="intern")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


@pytest.fixture
def private_document():
    collection = Collection.get_first_root_node().add_child(name="Interna dokument")
    CollectionViewRestriction.objects.create(collection=collection, restriction_type=CollectionViewRestriction.LOGIN)
    document = Document(title="Intern plan", collection=collection)
    document.file.save("intern-plan.txt", ContentFile(b"intern"), save=True)
    return document


def password_only(staff):
    client = Client()
    client.force_login(staff)
    return client


def is_login_redirect(response):
    return response.status_code == 302 and "/_util/login/" in response["Location"]


def test_a_password_only_session_does_not_open_private_pages_or_documents(
    staff, two_factors, private_page, private_document
):
    client = password_only(staff)
    assert is_login_redirect(client.get(private_page.url))
    assert is_login_redirect(client.get(private_document.url))
    # /_util/login/ asks for the second factor, then the page opens.
    asked = client.get(f"/_util/login/?next={private_page.url}")
    assert asked.status_code == 302 and asked["Location"].startswith("/admin/two-factor/verify/?next=")
    passed = client.post("/admin/two-factor/verify/", {"code": code_for(staff), "next": private_page.url})
    assert passed.status_code == 302 and passed["Location"] == private_page.url
    assert client.get(private_page.url).status_code == 200
    assert client.get(private_document.url).status_code == 200


def test_the_password_form_of_util_login_leads_to_the_second_factor(staff, two_factors, private_page):
    client = Client()
    signed = client.post(f"/_util/login/?next={private_page.url}", {"username": "staff", "password": PASSWORD})
    assert signed.status_code == 302
    followed = client.get(signed["Location"])
    assert is_login_redirect(followed) or "/admin/two-factor/verify/" in followed["Location"]
    assert "/admin/two-factor/verify/" in client.get(f"/_util/login/?next={private_page.url}")["Location"]
    assert "Intern sida" not in client.get(private_page.url, follow=True).content.decode()


def test_without_required_two_factors_a_password_session_still_opens_private_pages(staff, private_page):
    assert password_only(staff).get(private_page.url).status_code == 200


def test_the_session_key_is_renewed_at_the_second_factor(staff, two_factors):
    client = password_only(staff)
    before = client.session.session_key
    client.post("/admin/two-factor/verify/", {"code": code_for(staff)})
    assert client.session.session_key != before
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("typed", ["ABCD2345", "abcd 2345", "ABCD-2345", " abcd2345 "])
def test_recovery_codes_count_in_capitals_with_spaces_or_dashes(staff, two_factors, typed):
    client = password_only(staff)
    passed = client.post("/admin/two-factor/verify/", {"code": typed, "next": "/admin/pages/"})
    assert passed.status_code == 302 and passed["Location"] == "/admin/pages/"


def test_a_wrong_code_is_shown_and_announced(staff, two_factors):
    client = password_only(staff)
    wrong = client.post("/admin/two-factor/verify/", {"code": "000000"}, headers={"accept-language": "en"})
    html = wrong.content.decode()
    alert = re.search(r'<div class="messages" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert alert and "Koden stämmer inte" in alert.group(1)


# Swedish once the catalogue is compiled (the admin speaks Swedish), English before.
THROTTLED = re.compile(r"(Too many wrong codes\. Try again in|För många felaktiga koder\. Försök igen om) \d+ minut")


def test_after_wrong_codes_the_pause_is_in_words_and_an_admin_lifts_it(staff, two_factors):
    client = password_only(staff)
    for _attempt in range(3):
        client.post("/admin/two-factor/verify/", {"code": "000000"})
    # Eight wrong codes in a row, the last just now (a slow test machine
    # must not let the pause run out between the requests).
    for device in [TOTPDevice.objects.get(user=staff), StaticDevice.objects.get(user=staff)]:
        device.throttling_failure_count = 8
        device.throttling_failure_timestamp = timezone.now()
        device.save()
    device = TOTPDevice.objects.get(user=staff)
    count = device.throttling_failure_count
    refused = client.post("/admin/two-factor/verify/", {"code": code_for(staff)})
    assert refused.status_code == 200
    assert THROTTLED.search(refused.content.decode())
    device.refresh_from_db()
    assert device.throttling_failure_count == count  # a code during the pause does not lengthen it
    assert THROTTLED.search(client.get("/admin/two-factor/verify/").content.decode())

    out = io.StringIO()
    call_command("reset_two_factor_throttle", "staff", stdout=out)
    assert "staff" in out.getvalue()
    passed = client.post("/admin/two-factor/verify/", {"code": "ABCD2345", "next": "/admin/pages/"})
    assert passed.status_code == 302 and passed["Location"] == "/admin/pages/"
