"""A person signs up for the last place of a meet-up, gets the calendar file,
and cancels; the next person on the waiting list gets the place. Every page
on the way, and the meet-up pages in every language, pass axe."""

import json

EVENT = "/traffar/vandring-i-funasdalen/"

STATUSES = """
import json
from events.models import Signup
rows = Signup.objects.filter(event__slug="vandring-i-funasdalen").select_related("registration")
print(json.dumps({row.registration.email: [row.status, bool(row.promoted_at)] for row in rows}))
"""


def sign_up(page, url, first_name, email):
    page.goto(url)
    page.get_by_label("Förnamn").fill(first_name)
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_label("E-post").fill(email)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Anmäl mig").click()
    page.wait_for_url("**/tack/?r=*")


def test_sign_up_get_the_calendar_file_cancel_and_the_waiting_list_moves_up(site_server, browser, page, axe):
    page.goto(site_server.url + EVENT)
    assert page.locator("h1").inner_text() == "Höstvandring i Funäsdalen"
    assert "1 plats kvar." in page.get_by_role("status").inner_text()
    assert axe(page) == []

    sign_up(page, site_server.url + EVENT, "Anna", "anna.meetup@example.org")
    assert "Du har en plats på Höstvandring i Funäsdalen" in page.get_by_role("status").inner_text()
    assert axe(page) == []
    calendar_href = page.get_by_role("link", name="Lägg till i din kalender (.ics)").get_attribute("href")
    calendar = page.request.get(site_server.url + calendar_href)
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Höstvandring i Funäsdalen" in calendar.text()
    cancel_url = page.get_by_role("link", name="Avboka min anmälan").get_attribute("href")

    other = browser.new_context(locale="sv-SE").new_page()
    sign_up(other, site_server.url + EVENT, "Bertil", "bertil.meetup@example.org")
    assert "nummer 1 på väntelistan" in other.get_by_role("status").inner_text()
    other.context.close()

    page.goto(site_server.url + cancel_url)
    assert axe(page) == []
    page.get_by_role("button", name="Ja, avboka min anmälan").click()
    assert "är avbokad" in page.get_by_role("status").inner_text()
    assert axe(page) == []

    statuses = json.loads(site_server.shell(STATUSES).strip().splitlines()[-1])
    assert statuses == {
        "anna.meetup@example.org": ["cancelled", False],
        "bertil.meetup@example.org": ["confirmed", True],
    }
    # The link worked once.
    page.goto(site_server.url + cancel_url)
    assert page.get_by_role("status").inner_text() == "Den här anmälan är redan avbokad."


def test_the_meetup_pages_pass_axe_in_every_language(site_server, page, axe):
    for path in (
        "/traffar/",
        "/traffar/arkiv/",
        "/traffar/afterski-i-are/",
        "/en/meet-ups/",
        "/en/meet-ups/afterski-i-are/",
        "/de/traffar/",
        "/de/traffar/afterski-i-are/",
        "/ar/traffar/",
        "/ar/traffar/afterski-i-are/",
    ):
        response = page.goto(site_server.url + path)
        assert response.status == 200, path
        assert axe(page) == [], path
