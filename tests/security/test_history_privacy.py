"""Reports → Site history named registrants to every adviser, for ever."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from intake.models import Registration
from places.models import Municipality
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "staff@example.org", "a-long-test-password")
    are, berg = (Municipality.objects.in_default_locale().get(slug=slug) for slug in ("are", "berg"))
    made = {
        "are": RegistrationFactory(municipality=are, first_name="Arvid", email="arvid@example.org"),
        "berg": RegistrationFactory(municipality=berg, first_name="Bodil", email="bodil@example.org"),
    }
    for registration in made.values():
        log(instance=registration, action="wagtail.edit", user=staff)
    return made


def adviser_of_are(client, django_user_model):
    user = django_user_model.objects.create_user("are-adviser", "a@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    client.force_login(user)
    return user


def test_history_labels_carry_no_personal_data(registrations):
    for registration in registrations.values():
        entry = ModelLogEntry.objects.get(object_id=str(registration.pk), content_type__model="registration")
        assert registration.first_name not in entry.label and registration.email not in entry.label
        assert f"#{registration.pk}" in entry.label
        assert registration.first_name not in str(registration)


def test_the_migration_relabels_existing_entries_even_after_deletion(registrations):
    ModelLogEntry.objects.filter(content_type__model="registration").update(label="Flyttvägledning #1 (Bodil)")
    berg = registrations["berg"]
    berg_pk = berg.pk
    Registration.objects.filter(pk=berg_pk).delete()
    migration = importlib.import_module("intake.migrations.0009_log_labels_without_personal_data")
    migration.relabel(apps, None)
    labels = dict(ModelLogEntry.objects.filter(content_type__model="registration").values_list("object_id", "label"))
    assert labels[str(berg_pk)] == f"Registrering #{berg_pk}"
    assert labels[str(registrations["are"].pk)] == f"Flyttvägledning #{registrations['are'].pk}"
    assert not any("Bodil" in label for label in labels.values())


def test_an_adviser_sees_only_their_municipalitys_registrations_in_site_history(
    client, django_user_model, registrations
):
    adviser_of_are(client, django_user_model)
    response = client.get("/admin/reports/site-history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{registrations['are'].pk}" in body
    assert f"#{registrations['berg'].pk}" not in body
    assert "Bodil" not in body and "bodil@example.org" not in body


def test_region_staff_still_see_every_entry(admin_client, registrations):
    body = admin_client.get("/admin/reports/site-history/").content.decode()
    assert f"#{registrations['are'].pk}" in body and f"#{registrations['berg'].pk}" in body
