"""Staff logins need two factors, and passwords cannot be guessed.

Both are off in the other tests (tasteget/settings/test.py); these switch
them on as production has them.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("staff", "staff@example.org", PASSWORD)


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True


def sign_in(client, password=PASSWORD, address="198.51.100.1"):
    return client.post(
        "/admin/login/",
        {"username": "staff", "password": password},
        REMOTE_ADDR=address,
        headers={"accept-language": "en"},
    )


def test_wrong_passwords_lock_the_user_name_from_that_address_for_15_minutes(client, staff, throttled):
    from axes.models import AccessAttempt

    statuses = [sign_in(client, "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth wrong password locks
    locked = sign_in(client)  # the right password, too late
    assert locked.status_code == 429
    assert "För många felaktiga lösenord" in locked.content.decode()  # translated (Swedish by default)
    assert "_auth_user_id" not in client.session
    # The real user, from their own address, is not locked out.
    assert sign_in(Client(), address="203.0.113.5").status_code == 302
    # After the cool-off the address may try again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(Client()).status_code == 302


@pytest.fixture
def two_factors(settings):
    settings.WAGTAIL_2FA_REQUIRED = True


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_an_admin_user_sets_up_an_authenticator_app_before_any_admin_page(client, staff, two_factors):
    client.force_login(staff)
    response = client.get("/admin/registrations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/setup/?next=/admin/registrations/")
    for url in ("/admin/", "/admin/pages/", "/admin/users/", "/admin/two-factor/recovery-codes/"):
        assert client.get(url).status_code == 302, url
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()
    assert "no-store" in setup["Cache-Control"]
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post(setup.request["PATH_INFO"], {"code": "000000", "next": "/admin/registrations/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/admin/two-factor/setup/", {"code": code_for(device), "next": "/admin/registrations/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/admin/registrations/").status_code == 200


def test_the_next_sign_in_asks_for_a_code_and_a_recovery_code_works_once(client, staff, two_factors):
    client.force_login(staff)
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=staff)
    done = client.post("/admin/two-factor/setup/", {"code": code_for(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())

    later = Client()
    later.force_login(staff)
    asked = later.get("/admin/")
    assert asked.status_code == 302 and asked["Location"].startswith("/admin/two-factor/verify/")
    assert later.get("/admin/two-factor/setup/").status_code == 302  # no new device without the second factor
    passed = later.post("/admin/two-factor/verify/", {"code": codes[0], "next": "/admin/pages/"})
    assert passed.status_code == 302 and passed["Location"] == "/admin/pages/"
    assert later.get("/admin/").status_code == 200

    again = Client()
    again.force_login(staff)
    reused = again.post("/admin/two-factor/verify/", {"code": codes[0]}, headers={"accept-language": "en"})
    assert reused.status_code == 200
    assert "Koden stämmer inte" in reused.content.decode()
    assert again.get("/admin/").status_code == 302


def test_an_off_site_next_is_ignored(client, staff, two_factors):
    client.force_login(staff)
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=staff)
    done = client.post("/admin/two-factor/setup/", {"code": code_for(device), "next": "//evil.example/"})
    assert "evil.example" not in done.content.decode()


def test_visitors_and_the_public_site_are_not_affected(client, two_factors):
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 302  # the ordinary login
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
