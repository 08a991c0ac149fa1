"""Uploaded media in an S3-compatible bucket (production; docs/deployment.md).

One bucket holds everything Wagtail writes: `original_images/` (the uploads),
`images/` (the renditions the worker makes, home/renditions.py) and
`documents/`. Only `images/` is public: the bucket policy makes that prefix
readable by anyone (compose's `createbucket` service sets it), and pages link
to it under MEDIA_PUBLIC_URL, by default `/media/` on the site's own host
(Caddy passes `/media/images/…` to the bucket), so the Content-Security-Policy
stays `img-src 'self'`. Originals stay private (they keep the camera's EXIF
data, GPS position included; renditions are re-encoded without it), and
documents are private and served through Django's view, which checks the
collection's view restrictions first (WAGTAILDOCS_SERVE_METHOD = "serve_view").
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from tasteget.settings.env import env, env_int

# Renditions are written once under a name of their own (a new original or a
# new focal point gives new names), so browsers may keep them for long.
CACHE_CONTROL = "public, max-age=2592000"
# The one public prefix: the renditions.
PUBLIC_PREFIX = "images/"


class MediaStorage(S3Storage):
    """S3Storage whose public files are linked at `public_url`, without signatures."""

    def get_default_settings(self):
        return {**super().get_default_settings(), "public_url": None}

    def public_base(self):
        base = self.public_url or settings.MEDIA_URL
        return base if base.endswith("/") else base + "/"

    def url(self, name, parameters=None, expire=None, http_method=None):
        # Public or not, a page never links to a signed bucket address: the
        # app may reach the bucket at an address visitors cannot (compose's
        # http://minio:9000). Private files are read through Django instead.
        name = self._normalize_name(clean_name(name))
        return self.public_base() + filepath_to_uri(name)


def storage_from_env():
    """The STORAGES["default"] entry for MEDIA_S3_*; MEDIA_S3_BUCKET is required."""
    bucket = env("MEDIA_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured(
            "The environment variable MEDIA_S3_BUCKET is required in production (uploaded images and "
            "documents live in a bucket); set MEDIA_STORAGE=filesystem only for a single-machine "
            "install whose proxy serves var/media at /media/. See .env.example."
        )
    access_key, secret_key = env("MEDIA_S3_ACCESS_KEY_ID"), env("MEDIA_S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY together.")
    endpoint = env("MEDIA_S3_ENDPOINT_URL")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": env("MEDIA_S3_REGION"),
        # None: boto3's own chain (environment, instance role) finds the keys.
        "access_key": access_key,
        "secret_key": secret_key,
        "signature_version": "s3v4",
        # MinIO and most S3-compatible stores answer at endpoint/bucket/key.
        "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE", "path" if endpoint else None),
        # Two uploads called photo.jpg must not replace each other.
        "file_overwrite": False,
        # No object ACLs (new AWS buckets refuse them): the bucket policy decides.
        "default_acl": None,
        "querystring_auth": False,
        "object_parameters": {"CacheControl": CACHE_CONTROL},
        "max_memory_size": env_int("MEDIA_S3_MAX_MEMORY_SIZE", 10 * 1024 * 1024),
    }
    return {"BACKEND": "tasteget.storage.MediaStorage", "OPTIONS": options}


def public_url_from_env():
    """MEDIA_PUBLIC_URL: a path on the site (default /media/) or an https address."""
    url = env("MEDIA_PUBLIC_URL", "/media/")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        valid = parts.scheme == "https" and parts.hostname and not (parts.username or parts.password)
    else:
        valid = url.startswith("/")
    if not valid:
        raise ImproperlyConfigured(f"MEDIA_PUBLIC_URL must be a path such as /media/ or an https address, not {url!r}.")
    return url if url.endswith("/") else url + "/"


def public_origin(url):
    """The origin images are loaded from when it is not the site itself (for img-src)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def public_read_policy(bucket):
    """The bucket policy that lets anyone read the renditions and nothing else.

    compose's `createbucket` sets the same with `mc anonymous set download
    <bucket>/images`; for another S3 provider, apply this JSON to the bucket.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["*"]},
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/{PUBLIC_PREFIX}*"],
            }
        ],
    }
