"""After wrong second-factor codes the real user gets through: a user
administrator lifts the pause from *Settings → Users*, or the user e-mails
themselves a link that lifts it once (tasteget/two_factor_unlock.py)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tasteget.two_factor import throttled_until
from tasteget.two_factor_unlock import RESET_ACTION
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
VERIFY = "/admin/two-factor/verify/"
THROTTLED = re.compile(r"(Too many wrong codes\. Try again in|För många felaktiga koder\. Försök igen om) \d+ minut")


@pytest.fixture
def two_factors(settings):
    settings.WAGTAIL_2FA_REQUIRED = True


def with_devices(user):
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd2345")
    return user


@pytest.fixture
def staff(django_user_model):
    """An adviser (admin access, not a user administrator) with both devices."""
    user = django_user_model.objects.create_user("adviser", "adviser@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    return with_devices(user)


def pause(user):
    """Eight wrong codes in a row, the last just now (as someone guessing leaves it)."""
    for device in [TOTPDevice.objects.get(user=user), StaticDevice.objects.get(user=user)]:
        device.throttling_failure_count = 8
        device.throttling_failure_timestamp = timezone.now()
        device.save()
    assert throttled_until(user) is not None


def code_for(user):
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_only(user):
    client = Client()
    client.force_login(user)
    return client


def passes(client, user):
    response = client.post(VERIFY, {"code": code_for(user), "next": "/admin/"})
    return response.status_code == 302 and response["Location"] == "/admin/"


# --- A user administrator lifts the pause ------------------------------------


def test_a_user_administrator_lifts_the_pause_after_a_confirmation(admin_client, staff):
    pause(staff)
    client = password_only(staff)
    assert not passes(client, staff)  # the real user's right code is refused during the pause

    url = f"/admin/two-factor/reset/{staff.pk}/"
    assert url in admin_client.get("/admin/users/").content.decode()  # on the user's row
    asked = admin_client.get(url)
    assert asked.status_code == 200
    assert THROTTLED.search(asked.content.decode())  # the pause, in words
    assert throttled_until(staff) is not None  # a GET lifts nothing

    done = admin_client.post(url, follow=True)
    assert done.redirect_chain[-1][0] == "/admin/users/"
    assert "adviser" in " ".join(str(m) for m in done.context["messages"])
    entry = ModelLogEntry.objects.get(action=RESET_ACTION, object_id=str(staff.pk))
    assert entry.user_id == admin_client.user.pk
    assert throttled_until(staff) is None
    assert passes(client, staff)


@pytest.fixture
def user_administrator(django_user_model):
    """Not a superuser, but given Wagtail's "change user" permission through a group."""
    group = Group.objects.create(name="Användaradministratörer")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_user", content_type__app_label="auth"),
    )
    user = django_user_model.objects.create_user("useradmin", "useradmin@example.org", PASSWORD)
    user.groups.add(group)
    return user


@pytest.mark.parametrize("group_name", ["Region: anmälningar", "Editors", "Moderators", "Dataskyddsombud"])
def test_other_staff_cannot_lift_a_pause(django_user_model, staff, group_name):
    pause(staff)
    other = django_user_model.objects.create_user("other", "other@example.org", PASSWORD)
    other.groups.add(Group.objects.get(name=group_name))
    client = password_only(other)
    url = f"/admin/two-factor/reset/{staff.pk}/"
    assert client.get(url).status_code in (302, 403)
    assert client.post(url).status_code in (302, 403)
    assert throttled_until(staff) is not None
    assert not ModelLogEntry.objects.filter(action=RESET_ACTION).exists()


def test_a_group_user_administrator_lifts_others_pauses_but_not_a_superusers(
    django_user_model, staff, user_administrator
):
    boss = with_devices(django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD))
    pause(staff)
    pause(boss)
    client = password_only(user_administrator)
    refused = client.post(f"/admin/two-factor/reset/{boss.pk}/")
    assert refused.status_code == 403 or refused["Location"] == "/admin/"  # Wagtail's "permission denied"
    assert throttled_until(boss) is not None
    assert client.post(f"/admin/two-factor/reset/{staff.pk}/")["Location"] == "/admin/users/"
    assert throttled_until(staff) is None


# --- The user e-mails themselves a link -------------------------------------


def ask_for_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/two-factor/unlock/", {"next": "/admin/pages/"}, follow=True)
    run_worker()
    assert response.status_code == 200
    return " ".join(str(m) for m in response.context["messages"])


def test_the_paused_user_gets_a_link_that_lifts_the_pause_once(staff, two_factors, django_capture_on_commit_callbacks):
    pause(staff)
    client = password_only(staff)
    page = client.get(VERIFY).content.decode()
    assert THROTTLED.search(page)
    assert 'action="/admin/two-factor/unlock/"' in page

    first = ask_for_link(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["adviser@example.org"]
    link = re.search(r"https?://\S+/admin/two-factor/unlock/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # Asking again at once sends nothing, and the answer is word for word the same.
    assert ask_for_link(client, django_capture_on_commit_callbacks) == first
    assert len(mail.outbox) == 1

    path = f"/admin/two-factor/unlock/{link.group(1)}/"
    assert client.get(path).status_code == 200
    assert throttled_until(staff) is not None  # a mail scanner's GET lifts nothing
    assert client.post(path).status_code == 302
    assert throttled_until(staff) is None
    entry = ModelLogEntry.objects.get(action=RESET_ACTION, object_id=str(staff.pk))
    assert entry.user_id == staff.pk

    # Used: the same link does nothing for the next pause.
    pause(staff)
    assert client.post(path).status_code == 400
    assert throttled_until(staff) is not None


def test_without_a_pause_nothing_is_sent_and_the_answer_is_the_same(
    django_user_model, staff, two_factors, django_capture_on_commit_callbacks
):
    pause(staff)
    answer = ask_for_link(password_only(staff), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    calm = with_devices(django_user_model.objects.create_user("calm", "calm@example.org", PASSWORD))
    calm.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    assert ask_for_link(password_only(calm), django_capture_on_commit_callbacks) == answer
    assert len(mail.outbox) == 1


def test_an_old_link_or_one_for_another_account_lifts_nothing(
    django_user_model, staff, two_factors, settings, django_capture_on_commit_callbacks
):
    from tasteget.two_factor_unlock import unlock_token

    pause(staff)
    path = f"/admin/two-factor/unlock/{unlock_token(staff)}/"
    other = with_devices(django_user_model.objects.create_user("other", "other@example.org", PASSWORD))
    other.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    assert password_only(other).post(path).status_code == 400
    assert Client().post(path).status_code == 302  # not signed in: the password first
    settings.TWO_FACTOR_UNLOCK_LINK_MAX_AGE = -1  # every link is too old
    assert password_only(staff).post(path).status_code == 400
    assert password_only(staff).post(path[:-2] + "x/").status_code == 400
    assert throttled_until(staff) is not None
