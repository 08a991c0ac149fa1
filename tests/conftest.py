import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo site once; each test runs in a transaction on top of it."""
    with django_db_blocker.unblock():
        call_command("load_demo_content", verbosity=0)


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
