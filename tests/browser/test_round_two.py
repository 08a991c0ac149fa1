"""In a real browser: a wrong second-factor code is seen and read
out (points 20), and an invisible character pasted into *Allowed websites*
is named and nothing is saved (point 3)."""

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-password"


def sign_in(site_server, page, username):
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(site_server.url + "/admin/**")


def test_a_wrong_second_factor_code_is_shown_and_announced(site_server, page, axe):
    site_server.shell(
        "from django.contrib.auth.models import User; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        f"u = User.objects.create_superuser('tf-wrong', 'tf@example.org', '{PASSWORD}'); "
        "TOTPDevice.objects.create(user=u, name='app', confirmed=True)"
    )
    sign_in(site_server, page, "tf-wrong")
    page.goto(site_server.url + "/admin/two-factor/verify/")
    page.locator("input[name=code]").fill("000000")
    page.locator("form.login-form button[type=submit]").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.is_visible()
    assert "Koden stämmer inte" in alert.inner_text()
    assert axe(page) == []


def test_a_web_editor_pasting_an_invisible_character_sees_it_named(site_server, page):
    site_server.shell(
        "from django.contrib.auth.models import Group, User; "
        f"u = User.objects.create_user('berg-web-zwsp', 'web@berg.example', '{PASSWORD}'); "
        "u.groups.add(Group.objects.get(name='Webbredaktör: Bergs kommun'))"
    )
    sign_in(site_server, page, "berg-web-zwsp")
    page.goto(site_server.url + "/admin/embed-code/")
    page.get_by_label("Webbplatser som får visa formuläret").fill("https://www.berg.se\u200b")
    page.get_by_role("button", name="Spara webbplatserna för Bergs kommun").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "U+200B ZERO WIDTH SPACE" in alert.inner_text()
    saved = site_server.shell(
        "from places.models import Municipality; "
        "print(repr(Municipality.objects.get(slug='berg', locale__language_code='sv').embed_origins))"
    ).strip()
    assert saved == "''"
