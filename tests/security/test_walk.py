"""Walk every URL of the site as every kind of user.

URLs come from the URL resolver (every route without parameters, admin
included) and from the page tree (every live page in every locale); the
users are anonymous, a superuser and one member of each role group the
migrations create (one adviser group stands for the nine alike). Each
response must not be a 500, must carry the security headers, must not be
cacheable when it is personal, and must not show another municipality's
registration.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page

from intake.models import Registration
from places.models import Municipality
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

ROLES = [
    None,  # anonymous
    "superuser",
    "Editors",
    "Moderators",
    "Ambassadörssamordnare",
    "Region: anmälningar",
    "Flyttvägledare: Åre kommun",
    "Webbredaktör: Krokoms kommun",
]
# Routes a walk must not follow: they change state on GET or end the session.
SKIP = ("logout", "/admin/login/", "/admin/two-factor/", "/admin/failwhale/")  # failwhale: Wagtail's deliberate 500
BERG_MARKER = "bergs-hemliga-person@example.org"


def routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and not any(mark in text for mark in "<(?*+[\\"):
            yield "/" + text


def site_urls(with_pages=True):
    """Every route without parameters; with the page tree for anonymous visitors
    (signed in, the public pages are the same pages: the admin is what differs)."""
    urls = {url for url in routes() if not url.startswith(SKIP) and "logout" not in url}
    if with_pages:
        urls.update(page.url for page in Page.objects.live().specific() if page.url)
    else:
        urls = {url for url in urls if url.startswith("/admin/")} | {"/", "/en/", "/embed/are/"}
    return sorted(urls)


@pytest.fixture
def registrations():
    are, berg = (Municipality.objects.in_default_locale().get(slug=slug) for slug in ("are", "berg"))
    return {
        "are": RegistrationFactory(municipality=are, email="are-person@example.org"),
        "berg": RegistrationFactory(municipality=berg, email=BERG_MARKER, first_name="Bergtagen"),
    }


def registration_urls(registrations):
    return [
        f"/admin/registrations/{view}/{registration.pk}/"
        for registration in registrations.values()
        for view in ("inspect", "edit", "delete", "history", "usage")
    ] + ["/admin/registrations/?export=csv", "/admin/reports/site-history/", "/admin/registrations/mailing-list/"]


def sign_in(client, django_user_model, role):
    if role is None:
        return None
    if role == "superuser":
        user = django_user_model.objects.create_superuser("walker", "walker@example.org", "a-long-test-password")
    else:
        user = django_user_model.objects.create_user("walker", "walker@example.org", "a-long-test-password")
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_every_url_as_every_role(client, django_user_model, registrations, role):
    client.raise_request_exception = False
    user = sign_in(client, django_user_model, role)
    sees_all = user is not None and (user.is_superuser or user.has_perm("intake.view_all_registrations"))
    problems = []
    urls = site_urls(with_pages=role is None) + registration_urls(registrations)
    assert len(urls) > 50
    for url in urls:
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"{url}: {status}")
            continue
        headers = response.headers
        if "Permissions-Policy" not in headers:
            problems.append(f"{url}: no Permissions-Policy")
        if headers.get("Content-Type", "").startswith("text/html") and "Content-Security-Policy" not in headers:
            problems.append(f"{url}: HTML without CSP")
        personal = url.startswith("/admin/") or ("embed/" in url and not url.endswith(".js"))
        if personal and status == 200:
            cache_control = headers.get("Cache-Control", "")
            if "no-store" not in cache_control and "private" not in cache_control:
                problems.append(f"{url}: personal page without Cache-Control no-store/private ({cache_control!r})")
        if not sees_all and BERG_MARKER in body_of(response):
            problems.append(f"{url}: shows Berg's registration to {role}")
    assert problems == []
    if role == "Flyttvägledare: Åre kommun":
        assert Registration.objects.visible_to(user).filter(pk=registrations["berg"].pk).count() == 0
