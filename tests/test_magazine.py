"""The magazine: issues in both languages, the PDF served safely, ordering on the current issue only."""

import pytest

from intake.models import Registration
from magazine.models import MagazineIndexPage, MagazineIssuePage
from tests.conftest import form_values

pytestmark = pytest.mark.django_db

ORDER = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "postal_code": "831 30",
    "town": "Östersund",
    "country": "Sverige",
    "consent": "on",
}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/magasinet/", "Ta Steget våren 2026"),
        ("/en/magazine/", "Ta Steget spring 2026"),
        ("/magasinet/nummer-2026-1/", "Kodar med utsikt över Storsjön"),
        ("/en/magazine/nummer-2025-2/", "Ta Steget autumn 2025"),
    ],
)
def test_magazine_pages_render_in_both_languages(client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_the_current_issue_takes_orders_for_itself(client):
    html = client.get("/en/magazine/nummer-2026-1/").content.decode()
    assert "Order the printed magazine" in html
    response = client.post("/en/magazine/nummer-2026-1/", {**form_values(html), **ORDER})
    assert response.status_code == 302
    assert Registration.objects.get().magazine_issue == "2026:1"


def test_an_old_issue_shows_no_form_and_refuses_orders(client):
    current = client.get("/en/magazine/nummer-2026-1/").content.decode()
    old = client.get("/en/magazine/nummer-2025-2/").content.decode()
    assert "Order the printed magazine" not in old
    response = client.post("/en/magazine/nummer-2025-2/", {**form_values(current), **ORDER})
    assert response.status_code == 302 and response["Location"] == "/en/magazine/nummer-2025-2/"
    assert Registration.objects.count() == 0


def test_the_pdf_is_served_so_it_cannot_run_scripts_in_our_origin(client):
    issue = MagazineIssuePage.objects.get(slug="nummer-2026-1", locale__language_code="sv")
    response = client.get(issue.pdf.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def mark_current(slug):
    """What an editor does: choose the current issue on the Swedish magazine page, and publish."""
    index = MagazineIndexPage.objects.get(locale__language_code="sv")
    index.current_issue = MagazineIssuePage.objects.get(slug=slug, locale__language_code="sv")
    index.save_revision().publish()


def test_the_issue_marked_current_takes_the_orders_everywhere(client):
    mark_current("nummer-2025-2")
    # Its own page carries the form; the newer issue's page does not.
    assert "Order the printed magazine" in client.get("/en/magazine/nummer-2025-2/").content.decode()
    assert "Order the printed magazine" not in client.get("/en/magazine/nummer-2026-1/").content.decode()
    # The home page shows it as the issue to order.
    home = client.get("/").content.decode()
    tinted = 'class="section section--tinted" aria-labelledby="section-'
    magazine_section = home.split(tinted, 1)[1].split("</section>")[0]
    assert "/magasinet/nummer-2025-2/" in magazine_section and "/magasinet/nummer-2026-1/" not in magazine_section
    # The order form (intake's page) takes orders for it, in both languages.
    for path in ("/bestall-magasinet/", "/en/order-the-magazine/"):
        html = client.get(path).content.decode()
        assert client.post(path, {**form_values(html), **ORDER, "street_address": path}).status_code == 302
    assert sorted(Registration.objects.values_list("magazine_issue", flat=True)) == ["2025:2", "2025:2"]


def test_the_english_issue_page_orders_the_number_set_on_the_source(client):
    english = MagazineIssuePage.objects.get(slug="nummer-2026-1", locale__language_code="en")
    english.issue_number = "Spring 2026"  # a translator's liberty must not split the orders
    english.save_revision().publish()
    html = client.get("/en/magazine/nummer-2026-1/").content.decode()
    client.post("/en/magazine/nummer-2026-1/", {**form_values(html), **ORDER})
    assert Registration.objects.get().magazine_issue == "2026:1"


def test_between_issues_the_order_form_says_so_and_stores_nothing(client):
    open_html = client.get("/bestall-magasinet/").content.decode()
    for issue in MagazineIssuePage.objects.all():
        issue.unpublish()
    response = client.get("/bestall-magasinet/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # not cached: it opens when the next issue is published
    assert "Inget nummer kan beställas just nu" in html and "<form" not in html.split("<main", 1)[1]
    response = client.post("/bestall-magasinet/", {**form_values(open_html), **ORDER})
    assert response.status_code == 200
    assert Registration.objects.count() == 0
