"""The erasure ledger (privacy/ledger.py): every erasure written outside the
database as keyed hashes, a failed write retried and shown to the data
protection officer, and `reapply_erasures` after a restore.

The whole drill (pg_dump, erase, restore, reapply) is tests/test_restore_drill.py.
"""

import datetime
import hashlib
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from ambassadors.models import Ambassador, AmbassadorApplication
from home.management.commands.housekeeping import run_once
from intake.models import Delivery, Registration
from privacy import ledger, people, reapply
from privacy.models import ErasureReceipt
from tests.factories import DeliveryFactory, MunicipalityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

EMAIL = "Sara.Lind@example.org"
PHONE = "070-111 22 33"


def use_ledger(settings, location):
    settings.STORAGES = {
        **settings.STORAGES,
        "erasure_ledger": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }


@pytest.fixture
def ledger_dir(settings, tmp_path):
    use_ledger(settings, tmp_path / "ledger")
    return tmp_path / "ledger"


@pytest.fixture
def dpo(client, django_user_model):
    user = django_user_model.objects.create_user("dpo", "dpo@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Dataskyddsombud"))
    client.force_login(user)
    return client


def sara(created_at=None, **fields):
    """Sara's guidance registration (known to the CRM as 501) and ambassador application."""
    municipality = MunicipalityFactory()
    registration = RegistrationFactory(
        email=EMAIL.lower(), first_name="Sara", phone=PHONE, municipality=municipality, **fields
    )
    if created_at:
        Registration.objects.filter(pk=registration.pk).update(created_at=created_at)
    DeliveryFactory(registration=registration, status="delivered", delivered_at=timezone.now(), crm_person_id="501")
    application = AmbassadorApplication.objects.create(
        name="Sara Lind",
        email=EMAIL,
        phone="+46 70 111 22 33",
        municipality=municipality,
        languages="sv",
        text="Hej",
        consent_text="…",
        consent_version="2026-1",
        consent_language="sv",
        submission_key=f"app-{registration.pk}",
    )
    if created_at:
        AmbassadorApplication.objects.filter(pk=application.pk).update(created_at=created_at)
    return registration, application


def erase(query, capture):
    with capture(execute=True):
        return people.erase(people.find(query), None, query=query)


def objects(directory):
    return sorted(directory.rglob("*.json"))


def test_an_erasure_is_written_to_the_ledger_as_keyed_hashes_only(dpo, ledger_dir, django_capture_on_commit_callbacks):
    registration, _application = sara()
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"})
    receipt = ErasureReceipt.objects.get()
    [written] = objects(ledger_dir)
    day = receipt.erased_at.astimezone(datetime.UTC)
    assert written.relative_to(ledger_dir).as_posix().startswith(f"ledger/{day:%Y/%m/%d}/")
    assert receipt.ledger_name == written.relative_to(ledger_dir).as_posix()
    assert receipt.ledger_written_at and receipt.ledger_entry == {}  # the hashes leave the database

    text = written.read_text()
    entry = json.loads(text)
    hasher = ledger.Hasher()
    assert entry["receipt"] == receipt.pk and entry["key_id"] == ledger.key_id()
    assert entry["email_hashes"] == [hasher.email(EMAIL)]
    assert entry["phone_hashes"] == [hasher.phone("+46701112233")]
    for secret in ("sara", "lind", "1112233", hashlib.sha256(EMAIL.lower().encode()).hexdigest()):
        assert secret not in text.lower()

    page = dpo.get(response["Location"]).content.decode()
    assert "erasure ledger" in page or "raderingsliggaren" in page


def test_the_key_comes_from_its_setting_and_changes_every_hash(settings):
    settings.ERASURE_LEDGER_KEY = ""
    derived = (ledger.key_id(), ledger.Hasher().email(EMAIL))
    settings.ERASURE_LEDGER_KEY = "a-dedicated-ledger-key"
    own = (ledger.key_id(), ledger.Hasher().email(EMAIL))
    assert derived[0] != own[0] and derived[1] != own[1]
    assert ledger.Hasher().email(" SARA.lind@example.ORG ") == own[1]  # normalised like person_key
    assert ledger.Hasher().phone("0046 70-111 22 33") == ledger.Hasher().phone(PHONE)


def test_a_failed_write_leaves_the_erasure_done_warns_the_officer_and_is_retried(
    dpo, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")  # the ledger cannot create its folders under a file
    use_ledger(settings, blocked)
    registration, _application = sara()
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"}, follow=True)
    receipt = ErasureReceipt.objects.get()
    assert Registration.objects.get(pk=registration.pk).email == ""  # erased all the same
    assert receipt.ledger_pending and receipt.ledger_entry["email_hashes"]
    page = response.content.decode()
    assert "could not yet be written to the erasure ledger" in page or "raderingsliggaren" in page
    log = dpo.get("/admin/personal-data/access-log/").content.decode()
    assert "1 erasure is not yet written" in log or "1 radering är ännu inte skriven" in log

    assert ledger.write_pending() == 1  # still failing: still waiting
    use_ledger(settings, tmp_path / "ledger")
    run_once(daily=False, hourly=True)  # housekeeping's hourly round writes it
    receipt.refresh_from_db()
    assert not receipt.ledger_pending and receipt.ledger_entry == {}
    [written] = objects(tmp_path / "ledger")
    assert json.loads(written.read_text())["receipt"] == receipt.pk
    assert "not yet written" not in dpo.get("/admin/personal-data/access-log/").content.decode()
    assert ledger.write_pending() == 0 and len(objects(tmp_path / "ledger")) == 1  # never written twice


def test_reapply_erases_restored_rows_again_and_only_those(ledger_dir, django_capture_on_commit_callbacks, capsys):
    sara()
    first = erase(EMAIL, django_capture_on_commit_callbacks)
    erased_at = first.erased_at
    # What a restored backup holds: Sara as she was before the erasure ...
    restored, restored_application = sara(created_at=erased_at - datetime.timedelta(days=3))
    Ambassador.objects.create(
        name="Sara",
        municipality=restored.municipality,
        languages="sv",
        text="Hej",
        email=EMAIL.upper(),
        consent_given_at=erased_at - datetime.timedelta(days=2),
    )
    # ... a subscription reduced to the address's hash, a number written another way ...
    reduced = RegistrationFactory(email="", person_hash=ledger.person_key(EMAIL), kind="newsletter")
    by_phone = RegistrationFactory(email="", first_name="S", phone="+46 70 111 22 33")
    Registration.objects.filter(pk__in=[reduced.pk, by_phone.pk]).update(created_at=erased_at - datetime.timedelta(1))
    # ... someone else, and Sara registering again after the erasure (new consent: kept).
    other = RegistrationFactory(email="olle@example.org")
    later = RegistrationFactory(email=EMAIL, first_name="Sara")
    Registration.objects.filter(pk=later.pk).update(created_at=erased_at + datetime.timedelta(days=1))

    call_command("reapply_erasures", "--dry-run")
    assert (
        "people would be erased: 1 (registrations: 3, ambassador applications: 1, ambassador profiles: 1,"
        " meet-up sign-ups: 0)"
    ) in capsys.readouterr().out
    assert Registration.objects.get(pk=restored.pk).email == EMAIL.lower()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reapply_erasures")
    out = capsys.readouterr().out
    assert "people erased again: 1" in out and "CRM erasure deliveries queued: 1" in out
    for pk in (restored.pk, reduced.pk, by_phone.pk):
        row = Registration.objects.get(pk=pk)
        assert row.anonymised_at and row.email == row.phone == row.first_name == ""
    assert not AmbassadorApplication.objects.filter(pk=restored_application.pk).exists()
    assert not Ambassador.objects.filter(email__iexact=EMAIL).exists()
    assert Registration.objects.get(pk=other.pk).email == "olle@example.org"
    assert Registration.objects.get(pk=later.pk).email == EMAIL
    erase_delivery = Delivery.objects.get(registration=restored, action=Delivery.Action.ERASE)
    assert erase_delivery.crm_person_id == "501"
    receipt = ErasureReceipt.objects.latest("pk")
    assert receipt.items[-1] == {"what": "ledger entry", "id": first.ledger_name, "done": "reapplied"}
    assert not receipt.ledger_name  # already in the ledger: no second entry
    assert len(objects(ledger_dir)) == 1

    call_command("reapply_erasures")
    assert "people erased again: 0" in capsys.readouterr().out
    assert ErasureReceipt.objects.count() == 2


def test_entries_written_with_another_key_or_unreadable_fail_the_command_loudly(
    ledger_dir, settings, django_capture_on_commit_callbacks
):
    sara()
    settings.ERASURE_LEDGER_KEY = "the-old-key"
    erase(EMAIL, django_capture_on_commit_callbacks)
    broken = ledger_dir / "ledger" / "2026" / "01" / "01"
    broken.mkdir(parents=True)
    (broken / "broken.json").write_text("{not json")
    settings.ERASURE_LEDGER_KEY = "a-new-key"
    restored, _application = sara(created_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(CommandError, match="1 ledger entries could not be read and 1 were written with another"):
        call_command("reapply_erasures")
    assert Registration.objects.get(pk=restored.pk).email == EMAIL.lower()  # not matched: hence the error


def test_reapply_hashes_each_row_once_whatever_the_ledger_holds(
    ledger_dir, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    municipality = MunicipalityFactory()
    for number in range(30):
        email = f"person-{number}@example.org"
        RegistrationFactory(email=email, municipality=municipality)
        erase(email, django_capture_on_commit_callbacks)
    RegistrationFactory.create_batch(30, municipality=municipality)
    assert len(objects(ledger_dir)) == 30
    # One query per kind of row that can name a person (registrations,
    # ambassador applications and profiles, meet-up sign-ups), none per entry.
    with django_assert_max_num_queries(4):
        counts = reapply.reapply(dry_run=True)
    assert (counts.entries, counts.people) == (30, 0)


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_ledger_in_a_bucket_and_a_bucket_that_is_down(settings, django_capture_on_commit_callbacks):
    """S3 (a local moto server): entries land in the bucket; while it is down they wait and are written later."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        options = {
            "bucket_name": "ledger",
            "location": "erasure-ledger",
            "endpoint_url": f"http://127.0.0.1:{port}",
            "access_key": "test",
            "secret_key": "test",
            "region_name": "eu-north-1",
            "file_overwrite": False,
            "default_acl": None,
        }
        settings.STORAGES = {
            **settings.STORAGES,
            "erasure_ledger": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }
        bucket = boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"],
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="eu-north-1",
        )
        bucket.create_bucket(Bucket="ledger", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})

        sara()
        first = erase(EMAIL, django_capture_on_commit_callbacks)
        keys = [item["Key"] for item in bucket.list_objects_v2(Bucket="ledger")["Contents"]]
        assert keys == [f"erasure-ledger/{first.ledger_name}"]
        assert [name for name, _entry in ledger.entries()] == [first.ledger_name]

        server.stop()
        RegistrationFactory(email="per@example.org")
        second = erase("per@example.org", django_capture_on_commit_callbacks)
        second.refresh_from_db()
        assert second.ledger_pending
        assert Registration.objects.filter(email="per@example.org").count() == 0

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()  # the bucket is back (moto keeps its objects in this process)
        assert ledger.write_pending() == 0
        keys = sorted(item["Key"] for item in bucket.list_objects_v2(Bucket="ledger")["Contents"])
        assert keys == sorted(f"erasure-ledger/{receipt.ledger_name}" for receipt in (first, second))
    finally:
        server.stop()
