"""Renditions are made ahead, on upload, and page renders only read them."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.images.models import Filter, Rendition

from home import renditions
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db

TAGS = re.compile(r"{%\s*(?:picture|srcset_image|image)\s+\S+\s+(.*?)%}")
SPEC_PART = re.compile(r"^(?:format|fill|width|height|max|min|scale|original)-?\S*$")


def template_specs():
    """Every filter spec an image tag in the site's templates asks for."""
    found = set()
    roots = [Path(settings.BASE_DIR)]
    for path in roots[0].glob("*/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for arguments in TAGS.findall(path.read_text()):
            words = [word for word in arguments.split() if "=" not in word and SPEC_PART.match(word)]
            if words:
                found.update(Filter.expand_spec(" ".join(words)))
    return found


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), (40, 90, 140)).save(buffer, format="PNG")
    return ImageFile(buffer, name="upload.png")


def test_the_specs_made_ahead_are_the_ones_the_templates_use():
    used = template_specs()
    assert len(used) >= 12  # picture.html and the body image block
    assert used <= set(renditions.filter_specs()), used - set(renditions.filter_specs())


def test_an_upload_queues_one_task_that_makes_every_rendition(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = get_image_model().objects.create(title="Uppladdad", file=png())
    queued = DBTaskResult.objects.filter(task_path="home.renditions.make_renditions", status="READY")
    assert queued.count() == 1
    assert Rendition.objects.filter(image=image).count() == 0
    run_worker()
    made = set(Rendition.objects.filter(image=image).values_list("filter_spec", flat=True))
    assert made == set(renditions.filter_specs())
    # Running it again (a second save, a retry) makes nothing new.
    renditions.make_renditions.call(image.pk)
    assert Rendition.objects.filter(image=image).count() == len(made)


def test_demo_images_have_their_renditions_and_queue_nothing():
    images = get_image_model().objects.all()
    assert images.exists()
    for image in images:
        assert Rendition.objects.filter(image=image).count() == len(renditions.filter_specs()), image.title
    assert not DBTaskResult.objects.filter(task_path="home.renditions.make_renditions").exists()


def test_a_page_render_reads_renditions_and_writes_nothing(client, uncached, monkeypatch):
    writes = []
    backend = Rendition.cache_backend
    set_one, set_many = backend.set, backend.set_many

    def spy_one(key, *args, **kwargs):
        writes.append(key)
        return set_one(key, *args, **kwargs)

    def spy_many(mapping, *args, **kwargs):
        writes.extend(mapping)
        return set_many(mapping, *args, **kwargs)

    monkeypatch.setattr(backend, "set", spy_one)
    monkeypatch.setattr(backend, "set_many", spy_many)
    before = Rendition.objects.count()
    for path in ("/", "/are/", "/berattelser/fjallen-och-familjen/", "/en/"):
        assert client.get(path).status_code == 200
    assert Rendition.objects.count() == before  # nothing made while a visitor waits
    # The first render may fill the rendition cache from the database; the next reads it.
    writes.clear()
    for path in ("/berattelser/fjallen-och-familjen/", "/en/stories/coding-with-a-view-of-lake-storsjon/"):
        client.get(path)
        client.get(path)
    first_pass = len([key for key in writes if "rendition" in key])
    assert first_pass  # the spy sees rendition writes when there are any
    writes.clear()
    for path in ("/berattelser/fjallen-och-familjen/", "/en/stories/coding-with-a-view-of-lake-storsjon/"):
        client.get(path)
    rendition_writes = [key for key in writes if "rendition" in key]
    assert rendition_writes == [], f"rendition cache written on a hit ({first_pass} writes on the first renders)"


def test_the_command_makes_what_is_missing():
    image = get_image_model().objects.first()
    Rendition.objects.filter(image=image).delete()
    call_command("make_renditions", verbosity=0)
    assert Rendition.objects.filter(image=image).count() == len(renditions.filter_specs())
