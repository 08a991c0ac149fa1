"""The international house in a real browser: the right-to-left guide is
mirrored and set in a font that covers Arabic, and checklist ticks stay in
the visitor's browser."""

ARABIC_GUIDE = "/ar/international-house/first-weeks/"


def test_the_arabic_guide_is_right_to_left_mirrored_and_in_an_arabic_font(site_server, page):
    page.goto(site_server.url + ARABIC_GUIDE)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "أسابيعك الأولى في السويد"
    # Mirrored: the heading starts at the right edge of the content column.
    box = heading.bounding_box()
    column = page.locator("article").bounding_box()
    assert abs((box["x"] + box["width"]) - (column["x"] + column["width"])) < 2
    checkbox = page.locator(".checklist__step input").first.bounding_box()
    label = page.locator(".checklist__step label").first.bounding_box()
    assert checkbox["x"] > label["x"]  # the box sits on the right, before the text
    # The site's own Arabic font is loaded and used (no third-party host).
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Tasteget Arabic\"', 'أسابيع')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Tasteget Arabic') && f.status === 'loaded').length"
    )
    assert loaded >= 1


def test_checklist_ticks_survive_a_reload_and_are_never_sent(site_server, page):
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url)))
    page.goto(site_server.url + "/en/international-house/first-weeks/")
    steps = page.locator(".checklist__step input")
    assert steps.count() == 6
    assert page.get_by_role("button", name="Clear my ticks").is_hidden()  # nothing to clear yet
    page.get_by_label("Register with the Swedish Tax Agency").check()
    page.get_by_label("Get a Swedish identity card").check()
    status = page.get_by_role("status")
    assert status.inner_text() == "Done: 2 of 6 steps"
    requests_before_reload = list(sent)
    page.reload()
    assert page.get_by_label("Register with the Swedish Tax Agency").is_checked()
    assert page.get_by_label("Get a Swedish identity card").is_checked()
    assert not page.get_by_label("Open a bank account and get BankID").is_checked()
    assert page.get_by_role("status").inner_text() == "Done: 2 of 6 steps"
    # Ticking caused no request at all: only the page and its own files were fetched.
    assert [method for method, _url in requests_before_reload] == ["GET"] * len(requests_before_reload)
    assert all(url.startswith(site_server.url) for _method, url in sent)
    page.get_by_role("button", name="Clear my ticks").click()
    assert steps.evaluate_all("boxes => boxes.filter(box => box.checked).length") == 0
    page.reload()
    assert not page.get_by_label("Register with the Swedish Tax Agency").is_checked()


def test_checklist_works_without_javascript(site_server, browser):
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(site_server.url + "/internationellt-hus/dina-forsta-veckor/")
    box = plain.get_by_label("Folkbokför dig hos Skatteverket")
    box.check()
    assert box.is_checked()
    context.close()


def test_untranslated_page_in_arabic_shows_the_notice_and_leads_to_the_translations(site_server, page):
    page.goto(site_server.url + "/ar/flyttvagledning/")
    assert page.locator("html").get_attribute("lang") == "sv"
    notice = page.locator(".language-fallback")
    assert notice.get_attribute("dir") == "rtl"
    assert "غير متوفرة بلغتك" in notice.inner_text()
    notice.get_by_role("link", name="English").click()
    page.wait_for_url(site_server.url + "/en/moving-guidance/")
    assert page.locator("html").get_attribute("lang") == "en"


# The x position on screen of the first occurrence of `part` inside the element
# matched by `selector`: a range over the rendered text, so the bidirectional
# algorithm's reordering is what is measured, not the source order.
TEXT_X = """([selector, part]) => {
  const element = document.querySelector(selector);
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(part);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + part.length);
    const box = range.getBoundingClientRect();
    return {left: box.left, top: box.top};
  }
  return null;
}"""


def test_arabic_pages_show_phone_numbers_and_addresses_in_reading_order(site_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(site_server.url + "/ar/")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    phone, address = ".site-footer a[href^='tel:']", ".site-footer address"

    def x(selector, part):
        found = tab.evaluate(TEXT_X, [selector, part])
        assert found is not None, (selector, part)
        return found

    # "+46 63 14 60 00" reads left to right, as dialled, inside the right-to-left line ...
    groups = [x(phone, group)["left"] for group in ("+46", " 63", " 14", " 60", " 00")]
    assert groups == sorted(groups), groups
    # ... whose Arabic label ("Phone:") stays at the right, where the line begins.
    label = tab.locator(".site-footer li", has=tab.locator("a[href^='tel:']")).bounding_box()
    assert x(phone, "+46")["left"] < label["x"] + label["width"] - 40
    # The postal code before the town, its digits in order, the lines top to bottom.
    postal = [x(address, part) for part in ("831", "27", "Östersund")]
    assert postal[0]["left"] < postal[1]["left"] < postal[2]["left"]
    assert x(address, "Box 654")["top"] < postal[0]["top"]
    context.close()
