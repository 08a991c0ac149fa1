"""Issue 22 ("Hardening round two"): the public web side.

Each test names the point of the issue it proves; docs/security.md lists them.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FOREIGN_HOST = "localhost:31337"  # allowed by ALLOWED_HOSTS in tests (the port is not checked)


# --- 10. A Host header with a port does not poison cached pages ---------------


def story_index_url():
    from stories.models import StoryIndexPage

    return StoryIndexPage.objects.live().filter(locale__language_code="sv").first().url


@pytest.mark.parametrize(
    "path",
    ["/", "/en/", "/sitemap.xml", "/.well-known/security.txt", "/embed/tasteget.js", "story-feed"],
)
def test_a_foreign_host_header_never_ends_up_in_a_link_for_anyone(path):
    if path == "story-feed":
        path = story_index_url() + "feed/"
    forged = Client().get(path, HTTP_HOST=FOREIGN_HOST)
    normal = Client().get(path)
    assert forged.status_code == normal.status_code == 200, path
    for response in (forged, normal):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"31337" not in body, path
    if path in ("/", "/en/"):
        body = normal.content.decode()
        assert 'hreflang="x-default" href="http://testserver/"' in body
