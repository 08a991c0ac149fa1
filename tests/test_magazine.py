"""The magazine: issues in both languages, the PDF served safely, ordering on the current issue only."""

import pytest

from intake.models import Registration
from magazine.models import MagazineIssuePage
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
