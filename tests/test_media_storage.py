"""Uploaded media live in an S3-compatible bucket.

A real S3 API runs in the test (moto's server on 127.0.0.1): images uploaded
through the admin, and the renditions the worker makes of them, land in the
bucket; pages link to the bucket's public address, which answers with the
image; documents stay behind Django's view and its permission check; and
`copy_media_to_storage` moves an existing media directory into the bucket.
"""

import io
import json
import re
import uuid

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Rendition
from wagtail.models import Collection, CollectionViewRestriction

from home import renditions
from tasteget import storage as media_storage
from tests.conftest import run_worker

KEYS = {"aws_access_key_id": "test-media-key", "aws_secret_access_key": "test-media-secret"}


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, db):
    """A fresh bucket, and STORAGES["default"] built from MEDIA_S3_* as production builds it."""
    name = f"media-{uuid.uuid4().hex[:10]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-north-1", **KEYS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(media_storage.public_read_policy(name)))
    environment = {
        "MEDIA_S3_BUCKET": name,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "eu-north-1",
        "MEDIA_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "MEDIA_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
    }
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage.storage_from_env()}
    # The bucket's own address stands in for the public one (Caddy's /media/ in compose).
    settings.MEDIA_URL = f"{s3_server}/{name}/"
    client.public_url = settings.MEDIA_URL
    client.name = name
    return client


def keys(bucket, prefix=""):
    listing = bucket.list_objects_v2(Bucket=bucket.name, Prefix=prefix)
    return {item["Key"]: item["Size"] for item in listing.get("Contents", ())}


def png_upload(name="fjallet.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), (30, 110, 70)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_an_admin_upload_and_its_renditions_are_served_from_the_bucket(
    bucket, admin_client, page_by_slug, uncached, django_capture_on_commit_callbacks
):
    root = Collection.get_first_root_node()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/images/add/", {"title": "Fjället i S3", "file": png_upload(), "collection": root.pk}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = get_image_model().objects.get(title="Fjället i S3")
    assert image.file.name.startswith("original_images/")
    assert image.file.name in keys(bucket, "original_images/")

    run_worker()  # the rendition task queued by the upload (home/renditions.py)
    made = Rendition.objects.filter(image=image)
    assert made.count() == len(renditions.filter_specs())
    in_bucket = keys(bucket, "images/")
    assert {rendition.file.name for rendition in made} <= set(in_bucket)

    story = page_by_slug("fjallen-och-familjen")
    story.hero_image = image
    story.save_revision().publish()
    html = Client().get(story.url).content.decode()
    # The story's hero image (the demo images around it are still on disk).
    linked = set(re.findall(re.escape(bucket.public_url) + r"images/fjallet[^\s\"',]+", html))
    assert linked, "the story links no image in the bucket"
    assert linked <= {bucket.public_url + name for name in in_bucket}
    assert "/media/images/fjallet" not in html

    for url in sorted(linked)[:2]:
        fetched = requests.get(url, timeout=10)  # anonymous, as a browser asks
        assert fetched.status_code == 200
        assert fetched.headers["Content-Type"] in {"image/webp", "image/jpeg"}
        assert fetched.headers["Cache-Control"] == media_storage.CACHE_CONTROL
        assert fetched.content[:3] == b"\xff\xd8\xff" or fetched.content[8:12] == b"WEBP"
        assert PILImage.open(io.BytesIO(fetched.content)).size[0] in {480, 960, 1440}
    # The original (it keeps the camera's metadata) is not public.
    assert requests.get(bucket.public_url + image.file.name, timeout=10).status_code == 403


@pytest.mark.django_db
def test_two_uploads_with_one_name_do_not_replace_each_other(bucket, admin_client):
    root = Collection.get_first_root_node()
    for title in ("Första", "Andra"):
        response = admin_client.post(
            "/admin/images/add/", {"title": title, "file": png_upload("samma.png"), "collection": root.pk}
        )
        assert response.status_code == 302
    first, second = (get_image_model().objects.get(title=title).file.name for title in ("Första", "Andra"))
    assert first != second
    assert {first, second} <= set(keys(bucket, "original_images/"))


@pytest.mark.django_db
def test_a_document_goes_through_the_permission_check_not_the_bucket(bucket, admin_client):
    private = Collection.get_first_root_node().add_child(name="Bara för inloggade")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    content = b"%PDF-1.4\n% intern rapport\n"
    upload = SimpleUploadedFile("intern-rapport.pdf", content, content_type="application/pdf")
    response = admin_client.post(
        "/admin/documents/add/", {"title": "Intern rapport", "file": upload, "collection": private.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = get_document_model().objects.get(title="Intern rapport")
    assert document.file.name in keys(bucket, "documents/")
    assert document.url == f"/documents/{document.pk}/intern-rapport.pdf"  # Django's view, not a bucket link

    refused = Client().get(document.url)
    assert refused.status_code == 302
    assert "login" in refused["Location"]
    assert "X-Amz" not in refused["Location"] and bucket.name not in refused["Location"]
    # Nor can anyone read it from the bucket directly.
    assert requests.get(bucket.public_url + document.file.name, timeout=10).status_code == 403

    served = admin_client.get(document.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert served["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_the_copy_command_copies_a_media_tree_once(bucket, tmp_path):
    files = {
        "original_images/gammal.jpg": b"\xff\xd8\xff original",
        "images/gammal.fill-480x270.format-webp.webp": b"RIFF rendition",
        "documents/broschyr.pdf": b"%PDF-1.4 broschyr",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)

    out = io.StringIO()
    call_command("copy_media_to_storage", source=str(tmp_path), stdout=out)
    assert "copied 3 file(s)" in out.getvalue()
    assert keys(bucket) == {name: len(content) for name, content in files.items()}
    stored = bucket.get_object(Bucket=bucket.name, Key="documents/broschyr.pdf")["Body"].read()
    assert stored == files["documents/broschyr.pdf"]

    again = io.StringIO()
    call_command("copy_media_to_storage", source=str(tmp_path), stdout=again)
    assert "copied 0 file(s) (0 bytes), skipped 3 already there" in again.getvalue()

    # A file that changed size (an interrupted copy) is copied again under its own name.
    (tmp_path / "documents/broschyr.pdf").write_bytes(b"%PDF-1.4 broschyr, andra upplagan")
    third = io.StringIO()
    call_command("copy_media_to_storage", source=str(tmp_path), stdout=third)
    assert "copied 1 file(s)" in third.getvalue()
    assert set(keys(bucket)) == set(files)
    stored = bucket.get_object(Bucket=bucket.name, Key="documents/broschyr.pdf")["Body"].read()
    assert stored == b"%PDF-1.4 broschyr, andra upplagan"


def production(**overrides):
    from tests.security.test_deployment import REQUIRED, run_manage

    env = {
        **REQUIRED,
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        **overrides,
    }
    env = {key: value for key, value in env.items() if value is not None}
    show = (
        "from django.conf import settings; from django.core.files.storage import default_storage as s; "
        "print(settings.STORAGES['default']['BACKEND'], settings.MEDIA_URL, settings.SECURE_CSP['img-src'][-1], "
        "settings.ADMIN_CSP['img-src'][-1], s.url('images/a.webp'))"
    )
    result = run_manage(env, "shell", "-c", show)
    result.stdout = (result.stdout.strip().splitlines() or [""])[-1]
    return result


def test_production_requires_the_bucket_unless_the_filesystem_is_chosen():
    refused = production(MEDIA_S3_BUCKET=None)
    assert refused.returncode != 0
    assert "MEDIA_S3_BUCKET is required in production" in refused.stderr

    chosen = production(MEDIA_S3_BUCKET=None, MEDIA_STORAGE="filesystem")
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split()[0] == "django.core.files.storage.FileSystemStorage"

    default = production()
    assert default.returncode == 0, default.stderr
    backend, media_url, *_rest, url = default.stdout.split()
    assert (backend, media_url, url) == ("tasteget.storage.MediaStorage", "/media/", "/media/images/a.webp")


def test_a_public_url_on_another_host_is_allowed_in_img_src_and_must_be_https():
    other = production(MEDIA_PUBLIC_URL="https://bilder.tasteget.nu/media")
    assert other.returncode == 0, other.stderr
    assert other.stdout.split()[-3:] == [
        "https://bilder.tasteget.nu",
        "https://bilder.tasteget.nu",
        "https://bilder.tasteget.nu/media/images/a.webp",
    ]
    for wrong in ("http://bilder.tasteget.nu/", "media/", "https://user:pw@bilder.tasteget.nu/"):
        refused = production(MEDIA_PUBLIC_URL=wrong)
        assert refused.returncode != 0
        assert "MEDIA_PUBLIC_URL must be a path such as /media/ or an https address" in refused.stderr
    half = production(MEDIA_S3_SECRET_ACCESS_KEY=None)
    assert "Set MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY together." in half.stderr
