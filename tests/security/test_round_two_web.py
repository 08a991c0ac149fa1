"""The public web side.

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
        # The port with its colon: a bare "31337" may occur by chance in a
        # random id (a StreamField block's UUID on the home page once did).
        assert b":31337" not in body, path
    if path in ("/", "/en/"):
        body = normal.content.decode()
        assert 'hreflang="x-default" href="http://testserver/"' in body


# --- 12. A formula after a semicolon is text too (Swedish Excel) -------------

ATTACK = "Sverige;=1337+1;x"


def cells_as_swedish_excel_splits_them(text):
    """Worst case: every semicolon starts a new cell, quotes or not."""
    return [part.strip().strip('"').strip() for line in text.splitlines() for part in line.split(";")]


def starts_a_formula(cell):
    return cell.startswith(("=", "+", "-", "@"))


@pytest.fixture
def region_staff(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("region-round-two", "r2@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client.force_login(user)
    return client


def test_no_cell_of_the_exports_starts_a_formula_when_split_on_semicolons(region_staff):
    from django.utils import timezone

    from tests.factories import RegistrationFactory

    RegistrationFactory(kind="magazine", fulfilment="new", first_name=ATTACK, town=ATTACK, country=ATTACK)
    RegistrationFactory(first_name=ATTACK, last_name="@x;-y")
    mailing = region_staff.get("/admin/mailing-list/", {"format": "csv", "until": timezone.now().isoformat()})
    export = region_staff.get("/admin/registrations/?export=csv")
    assert mailing.status_code == export.status_code == 200
    for text in (mailing.content.decode("utf-8-sig"), b"".join(export.streaming_content).decode("utf-8-sig")):
        assert "1337+1" in text  # the value is kept, as text
        assert not [cell for cell in cells_as_swedish_excel_splits_them(text) if starts_a_formula(cell)]


def test_the_formula_guard_keeps_ordinary_values():
    from tasteget.helpers import neutralise_formula

    assert neutralise_formula("Storgatan 1") == "Storgatan 1"
    assert neutralise_formula("070-123 45 67") == "070-123 45 67"
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula(ATTACK) == "Sverige;'=1337+1;x"
    assert neutralise_formula(7) == 7


# --- 13. The thank-you address says nothing about an earlier order -----------

MAGAZINE = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "postal_code": "831 30",
    "town": "Östersund",
    "country": "Sverige",
    "consent": "on",
}


def thanks_value(response):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(response["Location"]).query)["r"][0]


def test_a_repeated_magazine_order_gets_a_new_opaque_thank_you_address(submit):
    import base64

    from intake.models import Registration

    first = submit("/bestall-magasinet/", MAGAZINE)
    again = submit("/bestall-magasinet/", {**MAGAZINE, "first_name": "Someone"})
    assert first.status_code == again.status_code == 302
    assert Registration.objects.filter(kind="magazine").count() == 1  # the repeat is the same order
    tokens = [thanks_value(first), thanks_value(again)]
    assert tokens[0] != tokens[1]
    assert len(tokens[0]) == len(tokens[1])
    for token in tokens:
        # Nothing readable: not the id, not a JSON key, in any base64 reading of any part.
        for part in token.replace(":", ".").split("."):
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            assert b'"r":' not in decoded
    # Both still open the thank-you page.
    client = Client()
    for response in (first, again):
        assert client.get(response["Location"]).status_code == 200
    # A changed address is not one.
    forged = first["Location"][:-3] + ("AAA" if not first["Location"].endswith("AAA") else "BBB")
    assert client.get(forged).status_code == 200  # the generic thank-you page, no registration


# --- 15. Login throttling: the same client as the form limits ----------------

PASSWORD = "a-long-test-password"


@pytest.fixture
def staff(django_user_model, settings):
    settings.AXES_ENABLED = True
    return django_user_model.objects.create_superuser("staff", "staff@example.org", PASSWORD)


def sign_in(password=PASSWORD, **meta):
    return Client().post("/admin/login/", {"username": "staff", "password": password}, **meta)


def test_a_forged_forwarded_address_does_not_change_whose_attempts_count(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Through the proxy (a loopback connection): only the address the proxy appended counts.
    statuses = [
        sign_in("wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert sign_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # Someone reaching gunicorn directly cannot pose as the admin's address.
    for _ in range(6):
        sign_in("wrong", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert sign_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 302
    assert sign_in(REMOTE_ADDR="203.0.113.50").status_code == 429  # their own address is locked


def test_ipv6_addresses_in_one_64_share_a_login_counter(staff):
    statuses = [sign_in("wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert sign_in(REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429  # same /64
    assert sign_in(REMOTE_ADDR="2001:db8:1:3::1").status_code == 302  # another /64


def test_the_client_address_rules():
    from django.test import RequestFactory, override_settings

    from tasteget.security import axes_client_ip, client_ip

    rf = RequestFactory()
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")) == (
            "203.0.113.9"
        )
        assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.1")) == (
            "203.0.113.50"
        )
    assert axes_client_ip(rf.get("/", REMOTE_ADDR="2001:db8:a:b:c:d:e:f")) == "2001:db8:a:b::"
    assert axes_client_ip(rf.get("/", REMOTE_ADDR="::ffff:198.51.100.4")) == "198.51.100.4"


# --- 17. The page-view beacon counts one view per page per client and window --

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


def views_of(page):
    from reports.models import PageViewDay

    return sum(PageViewDay.objects.filter(page=page).values_list("views", flat=True))


def beacon(page, **headers):
    meta = {"HTTP_USER_AGENT": BROWSER, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}
    address = meta.pop("HTTP_REMOTE_ADDR", "127.0.0.1")
    return Client().post("/page-view", {"p": page.pk}, REMOTE_ADDR=address, **meta)


def test_one_client_counts_one_view_per_page_per_window(settings):
    from unittest import mock

    from tests.factories import ContentPageFactory

    page, other = ContentPageFactory(), ContentPageFactory()
    for _ in range(50):
        assert beacon(page, **{"Sec-Fetch-Site": "same-origin"}).status_code == 204
    assert views_of(page) == 1
    # The same /64 is the same client; another client and another page count.
    beacon(page, **{"Sec-Fetch-Site": "same-origin", "Remote-Addr": "2001:db8::1"})
    beacon(page, **{"Sec-Fetch-Site": "same-origin", "Remote-Addr": "2001:db8::2"})
    beacon(page, **{"Sec-Fetch-Site": "same-origin", "Remote-Addr": "198.51.100.3"})
    beacon(other, **{"Sec-Fetch-Site": "same-origin"})
    assert views_of(page) == 3 and views_of(other) == 1
    # The next window counts again; nothing about the client is kept in the database.
    with mock.patch("tasteget.security.time.time", return_value=__import__("time").time() + settings.PAGE_VIEW_WINDOW):
        beacon(page, **{"Sec-Fetch-Site": "same-origin"})
    assert views_of(page) == 4


@pytest.mark.parametrize(
    "headers, counted",
    [
        ({}, False),  # a bare HTTP client: no same-origin signal
        ({"Sec-Fetch-Site": "none"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Origin": "http://localhost:31337"}, False),
        ({"Referer": "https://evil.example/x"}, False),
        ({"Origin": "http://testserver"}, True),  # the configured public origin
        ({"Referer": "http://testserver/some/page/"}, True),
        ({"Sec-Fetch-Site": "same-origin"}, True),
    ],
)
def test_a_view_needs_a_same_origin_signal(headers, counted):
    from tests.factories import ContentPageFactory

    page = ContentPageFactory()
    assert beacon(page, **headers).status_code == 204
    assert views_of(page) == (1 if counted else 0)


# --- 18. Password reset, search statistics, invisible characters, image size --


def reset(email, **meta):
    return Client().post("/admin/password_reset/", {"email": email}, **meta)


def test_password_reset_messages_are_limited_per_address_and_per_client(django_user_model, mailoutbox, settings):
    django_user_model.objects.create_user("editor", "editor@example.org", PASSWORD)
    answers = [reset("editor@example.org", REMOTE_ADDR=f"198.51.100.{n}") for n in range(1, 6)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/admin/password_reset/done/")}
    assert len(mailoutbox) == settings.PASSWORD_RESET_PER_ADDRESS_DAILY == 3
    # One client, many addresses (known or not): the same answer, and at most five a day from it.
    unknown = [reset(f"nobody{n}@example.org", REMOTE_ADDR="2001:db8:5::1") for n in range(6)]
    assert {(a.status_code, a["Location"]) for a in unknown} == {(302, "/admin/password_reset/done/")}
    django_user_model.objects.create_user("other", "other@example.org", PASSWORD)
    reset("other@example.org", REMOTE_ADDR="2001:db8:5::2")  # the same /64, over its limit
    assert len(mailoutbox) == 3
    reset("other@example.org", REMOTE_ADDR="203.0.113.8")
    assert len(mailoutbox) == 4


def test_the_password_reset_link_is_on_the_configured_host(django_user_model, mailoutbox):
    django_user_model.objects.create_user("editor", "editor@example.org", PASSWORD)
    reset("editor@example.org", HTTP_HOST=FOREIGN_HOST)
    assert len(mailoutbox) == 1
    assert "31337" not in mailoutbox[0].body and "http://testserver/admin/password_reset/" in mailoutbox[0].body


def test_one_client_cannot_fill_the_searches_without_results(settings):
    from search.models import MissedQuery
    from tests.conftest import run_worker

    settings.SEARCH_COUNTS_PER_CLIENT = 3
    visitor = Client()
    for _ in range(5):
        assert visitor.get("/en/search/", {"q": "zebrafinkar"}).status_code == 200
    for n in range(6):
        assert visitor.get("/en/search/", {"q": f"nonsense{n}"}).status_code == 200
    Client().get("/en/search/", {"q": "zebrafinkar"}, REMOTE_ADDR="198.51.100.77")  # another visitor counts
    run_worker()
    assert MissedQuery.objects.get(query_string="zebrafinkar").hits == 2
    assert MissedQuery.objects.count() == 3  # zebrafinkar + two more, then the cap


MAGAZINE_PAGE = "/bestall-magasinet/"


@pytest.mark.parametrize("name", ["Pe\u0085r", "Per\u0080x", "Pe\u009fr", "\u202eabc", "Pe\u200br", "Per\ufeff"])
def test_control_and_invisible_format_characters_in_a_name_are_an_error(submit, name):
    from intake.models import Registration

    response = submit(MAGAZINE_PAGE, {**MAGAZINE, "first_name": name})
    assert response.status_code == 200
    assert "Ta bort de osynliga styrtecknen" in response.content.decode() or "en rad" in response.content.decode()
    assert not Registration.objects.filter(kind="magazine").exists()


def test_names_with_joiners_and_direction_marks_are_kept(submit):
    from intake.models import Registration

    name = "مهر\u200cناز\u200f"  # Persian: zero-width non-joiner, right-to-left mark
    assert submit(MAGAZINE_PAGE, {**MAGAZINE, "first_name": name}).status_code == 302
    assert Registration.objects.get(kind="magazine").first_name == name


def test_an_ambassador_application_refuses_c1_controls(submit):
    from ambassadors.models import AmbassadorApplication, AmbassadorDirectoryPage

    directory = AmbassadorDirectoryPage.objects.live().get(locale__language_code="sv")
    data = {
        "name": "Sam\u0085Berg",
        "email": "sam@example.org",
        "municipality": "are",
        "languages": "svenska",
        "text": "Jag vill hjälpa nya.",
        "consent": "on",
    }
    assert submit(f"{directory.url}bli-ambassador/", data).status_code == 200
    assert not AmbassadorApplication.objects.exists()


def test_an_image_over_40_megapixels_is_refused_with_wagtails_message(admin_client, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 40_000_000
    before = Image.objects.count()
    buffer = io.BytesIO()
    PILImage.new("1", (6500, 6400)).save(buffer, "PNG")  # 41.6 megapixels, a few kB
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")
    response = admin_client.post("/admin/images/add/", {"title": "Huge", "file": upload})
    assert response.status_code == 200
    assert "41600000" in response.content.decode().replace("\u00a0", "").replace(" ", "").replace(",", "")
    assert Image.objects.count() == before


# --- 22. The adviser's registration page: local time, words, no Python values --


def test_the_registration_page_shows_local_time_and_words(admin_client):
    import datetime

    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(
        created_at=datetime.datetime(2026, 6, 15, 10, 45, tzinfo=datetime.UTC),
        topics=["jobs", "housing"],
        newsletter_opt_in=False,
        contacted_at=None,
        phone="",
    )
    body = admin_client.get(f"/admin/registrations/inspect/{registration.pk}/").content.decode()
    main = body[body.index("<main") :]
    assert "2026-06-15 12:45" in main and "10:45" not in main  # Europe/Stockholm, summer time
    assert "Vägar till jobb" in main or "Ways into a job" in main
    assert "['jobs'" not in main and "housing'" not in main
    assert ">None<" not in main and ">False<" not in main and ">True<" not in main
    assert "—" in main and ("Nej" in main or ">No<" in main)


# --- 25. Importing ambassadors: Swedish headings, unknown columns named ------

SWEDISH_HEADINGS = (
    "Namn;E-post;Kommun;Ort;Språk;Flyttade från;Intressen;Presentation;Samtycke;Telefon\n"
    "Astrid;astrid.sv@example.org;Åre;Undersåker;sv, en;Uppsala;skidor;Jag visar gärna byn.;2025-03-01;070\n"
)


def test_swedish_headings_are_read_and_unknown_columns_named(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ambassadorer.csv", SWEDISH_HEADINGS.encode("utf-8-sig"), content_type="text/csv")
    preview = admin_client.post("/admin/ambassadors/import/", {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Skipped" not in body and "Hoppas över" not in body
    assert "Telefon" in body  # the column it does not use is named
    assert 'name="confirm" value="1" class="button">' in body  # 1 valid row: the button is enabled


# --- 26. Swedish that reads right ------------------------------------------


def test_an_empty_registration_search_says_inga_anmalningar(admin_client):
    body = admin_client.get("/admin/registrations/", {"q": "zzzz-ingen-traff"}).content.decode()
    assert "Ingen anmälningar" not in body
    # Swedish once the lead compiles the catalogue; the source text until then.
    assert "Inga anmälningar matchar sökningen." in body or "No registrations match your search." in body


def test_the_access_log_names_what_was_touched_in_swedish(admin_client):
    from intake.models import SUBJECT_LABELS, AccessLogEntry, record_access

    record_access(admin_client.user, AccessLogEntry.Action.VIEW, "registration", [("registration", 1)])
    body = admin_client.get("/admin/personal-data/access-log/").content.decode()
    assert "<td>anmälan</td>" in body and "<td>registration</td>" not in body
    # Every subject the code records has a label (translated once the catalogue is compiled).
    assert {"registration list", "magazine mailing list", "person view", "newsletter preferences"} <= set(
        SUBJECT_LABELS
    )


def test_the_import_summary_uses_each_counts_plural():
    from django.utils import translation

    from ambassadors.admin_views import import_summary

    with translation.override("en"):
        one = import_summary({"create": 1, "update": 0, "unchanged": 2, "error": 1})
    assert one == "Imported: 1 new, 0 updated, 2 unchanged; 1 row skipped."


def test_hero_image_and_the_social_link_block_have_translated_labels():
    from django.utils import translation
    from django.utils.functional import Promise

    from home.models import HomePage, MunicipalityPage, SiteSettings
    from stories.models import StoryPage

    for model in (HomePage, MunicipalityPage, StoryPage):
        label = model._meta.get_field("hero_image").verbose_name
        assert isinstance(label, Promise)  # through gettext, not derived
        with translation.override("en"):
            assert str(label) == "hero image"
        with translation.override("sv"):
            assert str(label) == "huvudbild"
    block = SiteSettings._meta.get_field("social_links").stream_block.child_blocks["link"]
    assert isinstance(block.label, Promise)
