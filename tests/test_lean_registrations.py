"""A registration costs a few queries while the visitor waits, and what it
keeps in the cache to get there is purged when it changes.

The registration POST used to make 23 queries; most were the same answers
every time (the municipalities offered, the advisers of a municipality,
Wagtail's view-restriction check) or the outbox fan-out (a task and an
update per delivery). Now: the page, then one transaction that stores the
registration, its consent, its outbox rows and the one task that sends them.
"""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from intake.models import Delivery, Registration
from places.models import Adviser, Municipality
from stories.models import StoryIndexPage, StoryPage
from tasteget.redis_cache import RedisCache
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db

# The page, BEGIN (PostgreSQL), the registration, its consent, the task, the
# outbox rows, COMMIT (PostgreSQL); savepoints where a test wraps it all.
MAX_POST_QUERIES = 9


def post_guidance(client, data=GUIDANCE, path="/anmal-intresse/"):
    page = client.get(path)
    return client.post(path, {**form_values(page.content.decode()), **data})


def test_a_registration_costs_a_fixed_small_number_of_queries(client):
    post_guidance(client, {**GUIDANCE, "email": "first@example.org"})  # a running site has warmed its cache
    page = client.get("/anmal-intresse/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/anmal-intresse/", {**form_values(page.content.decode()), **GUIDANCE})
    assert response.status_code == 302
    statements = [query["sql"] for query in queries]
    assert len(statements) <= MAX_POST_QUERIES, statements
    # Nothing asked again that the cache answers; nothing updated row by row.
    assert not [sql for sql in statements if "home_municipality" in sql or "home_adviser" in sql], statements
    assert not [sql for sql in statements if "wagtailcore_pageviewrestriction" in sql], statements
    assert sum(sql.startswith("UPDATE") for sql in statements) == 0, statements
    assert sum("django_tasks_database_dbtaskresult" in sql for sql in statements) == 1, statements
    registration = Registration.objects.get(email=GUIDANCE["email"])
    assert registration.municipality.slug == "are"
    assert Delivery.objects.filter(registration=registration).count() == 4


def test_a_renamed_municipality_is_offered_and_chosen_on_the_next_request(client):
    post_guidance(client, {**GUIDANCE, "email": "first@example.org"})
    are = Municipality.objects.in_default_locale().get(slug="are")
    are.name = "Åre kommun (ny)"
    are.save()
    page = client.get("/anmal-intresse/").content.decode()
    assert "Åre kommun (ny)" in page
    # A slug no longer on the list is refused at once, with the form kept.
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    berg.slug = "bergs-kommun"
    berg.save()
    response = post_guidance(client, {**GUIDANCE, "municipality": "berg"})
    assert response.status_code == 200
    assert not Registration.objects.filter(email=GUIDANCE["email"]).exists()
    assert GUIDANCE["town"] in response.content.decode()


def test_a_new_adviser_gets_the_next_registration(client):
    post_guidance(client, {**GUIDANCE, "email": "first@example.org"})  # Åre's advisers are now kept
    are = Municipality.objects.in_default_locale().get(slug="are")
    Adviser.objects.filter(municipality=are).update(is_active=False)  # no signal: the next save purges
    Adviser.objects.create(municipality=are, name="Ny rådgivare", email="ny.radgivare@are.example.org")
    assert post_guidance(client).status_code == 302
    registration = Registration.objects.get(email=GUIDANCE["email"])
    recipients = set(
        Delivery.objects.filter(registration=registration, channel="adviser_email").values_list("recipient", flat=True)
    )
    assert recipients == {"ny.radgivare@are.example.org"}


def test_a_restriction_on_an_ancestor_or_an_original_applies_to_a_page_whose_route_is_kept(client, uncached):
    story = StoryPage.objects.get(slug="fjallen-och-familjen", locale__language_code="sv")
    alias = story.create_alias(update_slug="fjallen-och-familjen-kopia")
    for path in (story.url, alias.url):
        client.get(path)
        assert story.intro in client.get(path).content.decode(), path  # served from a kept route
    index = StoryIndexPage.objects.get(locale__language_code="sv")
    restriction = PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )
    for path in (story.url, alias.url):
        assert story.intro not in client.get(path).content.decode(), path
    restriction.delete()
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.PASSWORD, password="hemligt")
    assert story.intro not in client.get(alias.url).content.decode()  # an alias follows its original


@pytest.fixture
def redis_cache():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # .ci/run starts Redis
    cache = RedisCache(url, {"KEY_PREFIX": f"tasteget-test-{time.time_ns()}"})
    yield cache
    cache.clear()


def test_the_redis_cache_keeps_one_client_and_counts_in_one_round_trip(redis_cache):
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client()
    assert [redis_cache.count("hits", 60) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client()
    key = redis_cache.make_and_validate_key("hits")
    assert 0 < client.ttl(key) <= 60
    client.expire(key, 5)
    redis_cache.count("hits", 60)  # a later count does not move the end of the window
    assert client.ttl(key) <= 5


def test_the_rate_limit_counts_in_redis(redis_cache, monkeypatch, rf, settings):
    from intake import ratelimit

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    settings.INTAKE_RATE_LIMIT = 2
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    assert [ratelimit.allow(request) for _ in range(3)] == [True, True, False]


def test_the_web_process_freezes_what_it_loaded_at_start():
    out = subprocess.run(
        [sys.executable, "-c", "import gc, tasteget.wsgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tasteget.settings.test"},
        cwd=settings.BASE_DIR,
    ).stdout
    assert int(out) > 10_000


def test_the_worker_runs_below_the_web_priority(monkeypatch):
    from intake.management.commands import run_worker

    asked = []
    monkeypatch.setattr(os, "nice", asked.append)
    # Its housekeeping would close the test's own connection (inside the test's transaction).
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    call_command("run_worker", batch=True)
    call_command("run_worker", batch=True, nice=0)
    assert asked == [10]
