"""What only a browser can show about the design: the promise and the
registration button above the fold on desktop and phone, no sideways scroll."""

import pytest


@pytest.mark.parametrize("size", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_promise_and_the_registration_button_are_above_the_fold(site_server, browser, size, path):
    context = browser.new_context(viewport=size)
    tab = context.new_page()
    tab.goto(site_server.url + path)
    heading = tab.get_by_role("heading", level=1).bounding_box()
    button = tab.locator(".hero .button").bounding_box()
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert heading["y"] + heading["height"] <= size["height"]
    assert button["y"] + button["height"] <= size["height"]
    assert overflow <= 0
