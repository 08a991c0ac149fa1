"""Renditions are made when an image is uploaded, not when a visitor first sees it.

Every image on the site is drawn by `components/picture.html` (hero, card
and portrait images), the body image block or an adviser's photo: `SPECS`
are their filter specs, kept equal to the templates by
`tests/test_renditions.py`. Saving an image (an upload, a new focal point)
queues `make_renditions` after the commit; the worker makes all of them, so
the first visitor after a publish does not wait for a dozen resizes, and a
page render only reads renditions (Wagtail 8 reads them from the rendition
cache or the prefetched rows and writes the cache only for renditions it had
to fetch from the database). `manage.py make_renditions` does it for every
image (after an import, or when a size is added to a template).
"""

import contextlib
import contextvars

from django.db import transaction
from django.db.models.signals import post_save
from django.tasks import task
from wagtail.images import get_image_model
from wagtail.images.models import Filter

# The specs of {% picture %} in components/picture.html and in the body image
# block, and of the advisers' photos on municipality and thank-you pages.
SPECS = (
    "format-{webp,jpeg} fill-{480x270,960x540,1440x810}",
    "format-{webp,jpeg} width-{480,800,1200}",
    "fill-192x192 format-webp",
)

_made_here = contextvars.ContextVar("renditions_made_here", default=False)


def filter_specs():
    return [spec for pattern in SPECS for spec in Filter.expand_spec(pattern)]


def make(image):
    """All the site's renditions of one image (the existing ones are kept)."""
    return image.get_renditions(*filter_specs())


@task()
def make_renditions(image_id):
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is not None:
        make(image)


@contextlib.contextmanager
def made_here():
    """Images saved inside make their renditions themselves (the demo content), queue nothing."""
    token = _made_here.set(True)
    try:
        yield
    finally:
        _made_here.reset(token)


def image_saved(sender, instance, raw=False, **kwargs):
    if raw or _made_here.get():
        return
    image_id = instance.pk
    transaction.on_commit(lambda: make_renditions.enqueue(image_id))


def connect():
    post_save.connect(image_saved, sender=get_image_model(), dispatch_uid="home-renditions-image-saved")
