"""Real-browser checks: axe-core finds no WCAG 2.1 A/AA violations, and the
language switcher keeps the visitor on the same page."""

import pytest

PAGES = [
    "/",
    "/en/",
    "/are/",
    "/en/are/",
    "/om-ta-steget/",
    "/en/about/",
    "/finns-inte/",
    "/berattelser/",
    "/en/stories/?kommun=ostersund",
    "/berattelser/bageriet-i-hammarstrand/",
    "/en/stories/coding-with-a-view-of-lake-storsjon/",
    "/magasinet/",
    "/en/magazine/nummer-2026-1/",
    "/coworking/",
    "/en/coworking/?kommun=are",
    "/sok/?q=ostersund",
    "/ambassadorer/",
    "/en/ambassadors/?sprak=en",
    "/ambassadorer/bli-ambassador/",
    "/en/ambassadors/become-an-ambassador/",
    "/en/search/?q=zebra",
    "/internationellt-hus/",
    "/internationellt-hus/dina-forsta-veckor/",
    "/en/international-house/first-weeks/",
    "/en/international-house/for-employers/",
    "/ar/",
    "/ar/international-house/",
    "/ar/international-house/first-weeks/",
    "/de/international-house/first-weeks/",
    "/ar/flyttvagledning/",
    "/ar/berattelser/",
    "/ar/ambassadorer/",
    "/de/magasinet/",
    "/ar/search/?q=sverige",
    # Search's did-you-mean and other-language hints; the interest filter's notice
    "/sok/?q=%C3%B6stersnd",
    "/en/search/?q=bageriet",
    "/en/ambassadors/?intresse=zebra",
    # The whole-offer home page, municipality pages and the Region's overview
    "/de/",
    "/region/",
    "/en/region/",
    "/en/ostersund/",
    "/de/are/",
    "/ar/are/",
    "/ar/region/",
    # A story and the register form where they are not translated: Swedish, marked lang="sv"
    "/de/berattelser/fjallen-och-familjen/",
    "/ar/berattelser/fjallen-och-familjen/",
    "/ar/anmal-intresse/",
    "/en/magazine/",
    "/en/order-the-magazine/",
    "/nyhetsbrev/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations(site_server, page, axe, path):
    response = page.goto(site_server.url + path)
    assert response.status in {200, 404}
    assert axe(page) == []


def test_language_switcher_keeps_the_visitor_on_the_same_page(site_server, page):
    page.goto(site_server.url + "/are/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("navigation", name="Välj språk").get_by_role("link", name="English").click()
    page.wait_for_url(site_server.url + "/en/are/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Åre Municipality"
    page.get_by_role("navigation", name="Choose language").get_by_role("link", name="Svenska").click()
    page.wait_for_url(site_server.url + "/are/")


def test_skip_link_moves_focus_to_the_main_content(site_server, page):
    page.goto(site_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_layout_works_at_320_pixels_wide(site_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    narrow.goto(site_server.url + "/en/are/")
    overflow = narrow.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0


def test_story_filters_work_as_plain_links(site_server, page):
    page.goto(site_server.url + "/en/stories/")
    filters = page.get_by_role("navigation", name="Filter stories")
    filters.get_by_role("link", name="Östersund Municipality").click()
    page.wait_for_url("**/en/stories/?kommun=ostersund")
    assert page.get_by_role("heading", name="3 stories").is_visible()
    page.get_by_role("navigation", name="Filter stories").get_by_role("link", name="Entrepreneurship").click()
    page.wait_for_url("**/en/stories/?amne=foretagande&kommun=ostersund")
    assert page.get_by_role("heading", name="1 story").is_visible()


def test_ambassador_profile_and_contact_form_have_no_violations(site_server, page, axe):
    page.goto(site_server.url + "/en/ambassadors/")
    page.get_by_role("link", name="Mira").click()
    page.get_by_role("heading", name="Write to Mira").wait_for()
    assert axe(page) == []
    page.get_by_label("Your name").fill("Vera")
    page.get_by_label("Your e-mail").fill("vera@example.org")
    page.get_by_role("textbox", name="Your message").fill("Hur är vintrarna?")
    page.get_by_label("I agree", exact=False).check()
    page.get_by_role("button", name="Send the message").click()
    page.get_by_role("status").wait_for()
    assert "on its way to Mira" in page.get_by_role("status").inner_text()
    assert "ambassador." not in page.content()
    assert axe(page) == []


def test_ambassador_application_form_errors_and_thanks_have_no_violations(site_server, page, axe):
    page.goto(site_server.url + "/en/ambassadors/")
    page.get_by_role("link", name="Become an ambassador").click()
    page.get_by_role("heading", name="Become an ambassador", level=1).wait_for()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_role("alert").wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert axe(page) == []
    page.get_by_label("Your name").fill("Vera Berg")
    page.get_by_role("textbox", name="E-mail").fill("vera@example.org")
    page.get_by_label("Which municipality do you live in?").select_option("are")
    page.get_by_label("Languages you speak").fill("Swedish, German")
    page.get_by_role("textbox", name="Tell us a little about yourself").fill("I moved here for the mountains.")
    page.get_by_label("I agree that Region", exact=False).check()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_role("status").wait_for()
    assert "ambassador coordinator" in page.get_by_role("status").inner_text()
    assert axe(page) == []
