import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page

from tests import template_database


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the run's controlling process
        template_database.start_run()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        from django.conf import settings

        template_database.drop_templates(settings.DATABASES["default"])


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database: a copy of the run's migrated demo database
    (tests/template_database.py); each test runs in a transaction on top of it.

    Replaces pytest-django's fixture of the same name, which migrated in every
    process."""
    from django.db import connection

    with django_db_blocker.unblock():
        template = template_database.Template(connection)
        template.ensure()
        suffix = getattr(request.config, "workerinput", {}).get("workerid", "main")
        old_name = template.install_as_test_database(suffix)
    template_database.current = template
    yield
    template_database.current = None
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(old_name, verbosity=0)


@pytest.fixture
def locales():
    return {locale.language_code: locale for locale in Locale.objects.all()}


@pytest.fixture
def home(db):
    from home.models import HomePage

    return HomePage.objects.get(locale__language_code="sv")


@pytest.fixture
def page_by_slug(db):
    def find(slug, language="sv"):
        return Page.objects.get(slug=slug, locale__language_code=language).specific

    return find


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor-admin", "editor@example.org", "a-long-test-password")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def uncached(settings):
    """Render every request (query-count guards measure the render, not the page cache)."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.conf import settings
    from django.core.cache import cache, caches
    from django.utils import translation

    from tasteget import locales

    # Every test starts in the default language, whatever an earlier test in
    # the same process left active (the order differs between processes).
    translation.activate(settings.LANGUAGE_CODE)
    locales.forget()
    for each in (cache, caches["pages"], caches["renditions"]):
        each.clear()
    yield
    for each in (cache, caches["pages"], caches["renditions"]):
        each.clear()


def form_values(html):
    """The hidden values a rendered form carries (token, consent version)."""
    import re

    values = {}
    for name in ("form_token", "consent_version"):
        match = re.search(rf'name="{name}" value="([^"]+)"', html)
        if match:
            values[name] = match.group(1)
    return values


GUIDANCE = {
    "first_name": "Ida",
    "last_name": "Ström",
    "email": "ida@example.org",
    "phone": "070-123 45 67",
    "preferred_contact": "email",
    "municipality": "are",
    "country": "Norge",
    "town": "Trondheim",
    "adults": "2",
    "children": "1",
    "move_when": "6_12_months",
    "topics": ["jobs", "housing"],
    "message": "Vi vill bo nära fjällen.",
    "consent": "on",
}


@pytest.fixture
def submit(client):
    """GET a form page, then POST it with `data` plus its own hidden values."""

    def post(path, data, follow=False, **extra):
        page = client.get(path)
        assert page.status_code == 200, path
        return client.post(path, {**form_values(page.content.decode()), **data}, follow=follow, **extra)

    return post


def run_worker():
    """Run the real database worker until the queue is empty.

    The worker closes "old" connections between tasks; inside the test's
    transaction that would close the test's own connection on PostgreSQL, so
    only that housekeeping call is disabled here.
    """
    from unittest import mock

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def _flushes(item):
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    return transactional or "transactional_db" in getattr(item, "fixturenames", [])


# Files that start whole databases, real servers or a JVM: `make test` runs them,
# `make test-fast` (daily work) leaves them out with the browser tests.
SLOW = {
    "tests/test_restore_drill.py",
    "tests/test_migrations.py",
    "tests/test_reliability_stack.py",
    "tests/test_scheduler.py",
    "tests/test_two_nodes.py",
    "tests/test_redis_failure.py",
    "tests/security/test_front_cache.py",
    # The Nu Html Checker (vnu.jar on Java); installed with the browser tests' tools.
    "tests/test_html_validity.py",
}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """The order of the suite, around every other plugin's ordering.

    Before them: with pytest-xdist (`make test` runs one process per core,
    and one more to use the time the others wait on servers) a test file runs
    whole in one process, so a file's own servers (redis-server, varnishd,
    moto) start once. A process that runs browser tests starts its own site
    server and Chromium (tests/browser/conftest.py); the site's database is a
    copy of the run's template, so that costs seconds.

    After them: the browser tests first. They are the longest files, so the
    other processes work through everything else meanwhile. Tests on a
    transactional database run after all others: their flush empties the
    process's test database, demo content included.
    """
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(path))
        if path in SLOW:
            item.add_marker(pytest.mark.slow)
    result = yield
    items.sort(key=lambda item: (not item.nodeid.startswith("tests/browser/"), _flushes(item)))  # stable
    return result
