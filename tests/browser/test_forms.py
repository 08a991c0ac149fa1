"""Registration forms in a real browser: keyboard only, error summary,
accessibility in both languages, and the embed on another origin."""

import json
import re
import time

import pytest

GUIDANCE_TEXT = {
    "first_name": "Ida",
    "last_name": "Ström",
    "email": "ida.keyboard@example.org",
    "phone": "070-123 45 67",
    "country": "Norge",
    "town": "Trondheim",
    "adults": "2",
    "children": "0",
    "message": "Hej!",
}
MAGAZINE_TEXT = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "postal_code": "831 30",
    "town": "Östersund",
    "email": "per@example.org",
}
NEWSLETTER_TEXT = {"email": "nils.keyboard@example.org"}
# The thank-you page: /…/tack/ on Swedish pages, /en/…/thanks/ on English ones.
THANKS = re.compile(r"/(tack|thanks)/")


def focused(page):
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName, type: e.type || '',
        name: e.name || '', value: e.value || '', checked: !!e.checked}; }"""
    )


def fill_with_keyboard(page, texts, choose=None, max_steps=80):
    """Tab through the form from the top, typing and ticking with keys only."""
    choose = choose or {}
    page.locator("h1").click()  # start reading position at the heading, like a keyboard user after the skip link
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        field = focused(page)
        if field["tag"] == "INPUT" and field["type"] == "submit":
            page.keyboard.press("Enter")
            return
        name = field["name"]
        if field["tag"] == "SELECT" and name in choose or field["type"] == "radio" and name in choose:
            for _ in range(20):
                if focused(page)["value"] == choose[name]:
                    break
                page.keyboard.press("ArrowDown")
            assert focused(page)["value"] == choose[name], name
        elif field["type"] == "checkbox" and (name == "consent" or name in choose) and not field["checked"]:
            page.keyboard.press("Space")
        elif name in texts and field["tag"] in ("INPUT", "TEXTAREA") and field["type"] not in ("radio", "checkbox"):
            page.keyboard.type(texts[name])
    raise AssertionError("never reached the submit button")


def stored(site_server, email):
    code = (
        "import json; from intake.models import Registration as R; "
        f"r = R.objects.filter(email='{email}').select_related('municipality').first(); "
        "print(json.dumps(r and {'kind': r.kind, 'municipality': r.municipality.slug, 'source': r.source, "
        "'count': R.objects.filter(email=r.email).count()}))"
    )
    return json.loads(site_server.shell(code).strip().splitlines()[-1])


def test_guidance_form_is_completed_with_the_keyboard_alone(site_server, page):
    page.goto(site_server.url + "/en/register/")
    fill_with_keyboard(page, GUIDANCE_TEXT, choose={"municipality": "are", "preferred_contact": "phone"})
    page.wait_for_load_state()
    page.wait_for_url(THANKS)
    assert "Åre" in page.locator("main").inner_text()
    assert stored(site_server, "ida.keyboard@example.org") == {
        "kind": "guidance",
        "municipality": "are",
        "source": "tasteget.nu",
        "count": 1,
    }


def test_magazine_and_newsletter_forms_are_completed_with_the_keyboard(site_server, page):
    page.goto(site_server.url + "/bestall-magasinet/")
    fill_with_keyboard(page, MAGAZINE_TEXT)
    page.wait_for_url(THANKS)
    assert stored(site_server, "per@example.org")["kind"] == "magazine"
    page.goto(site_server.url + "/en/newsletter/")
    fill_with_keyboard(page, NEWSLETTER_TEXT)
    page.wait_for_url(THANKS)
    assert "confirm your subscription" in page.locator("main").inner_text()


@pytest.mark.parametrize("path", ["/anmal-intresse/", "/en/order-the-magazine/"])
def test_error_states_have_no_wcag_violations(site_server, page, axe, path):
    page.goto(site_server.url + path)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert axe(page) == []


def test_error_summary_takes_focus_and_links_to_the_fields(site_server, page, axe):
    page.goto(site_server.url + "/en/register/")
    page.get_by_role("button", name="Send my registration").press("Enter")
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Please correct the following" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("Error:")
    summary.get_by_role("link", name="First name: Enter your first name.").press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_first_name"
    assert axe(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/anmal-intresse/",
        "/en/register/",
        "/bestall-magasinet/",
        "/en/order-the-magazine/",
        "/nyhetsbrev/",
        "/en/newsletter/",
    ],
)
def test_forms_have_no_wcag_violations(site_server, page, axe, path):
    page.goto(site_server.url + path)
    assert axe(page) == []


def test_thank_you_pages_have_no_wcag_violations(site_server, page, axe):
    for path, texts, choose in [
        ("/anmal-intresse/", {**GUIDANCE_TEXT, "email": "axe1@example.org"}, {"municipality": "berg"}),
        ("/en/order-the-magazine/", {**MAGAZINE_TEXT, "street_address": "Axegatan 2"}, {}),
    ]:
        page.goto(site_server.url + path)
        fill_with_keyboard(page, texts, choose)
        page.wait_for_url(THANKS)
        assert axe(page) == []


SNIPPET_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Kommunens webbplats</title></head>
<body><main><h1>Flytta hit</h1>{snippet}</main></body></html>"""


def embed_snippet(site_url, slug):
    return (
        f'<iframe data-tasteget-form src="{site_url}/embed/{slug}/" title="Anmälan" '
        'style="width:100%;height:300px;border:0"></iframe>'
        f'<script src="{site_url}/embed/tasteget.js" async></script>'
    )


def test_embedded_form_on_an_allowed_origin_is_filled_in_stored_and_resized(site_server, page, other_origin, axe):
    origin = other_origin(SNIPPET_PAGE.format(snippet=embed_snippet(site_server.url, "stromsund")))
    site_server.shell(
        "from places.models import Municipality as M; "
        f"M.objects.filter(slug='stromsund').update(embed_origins='{origin}')"
    )
    page.goto(origin + "/index.html")
    frame_element = page.locator("iframe[data-tasteget-form]")
    page.wait_for_function("parseFloat(document.querySelector('iframe[data-tasteget-form]').style.height) > 1000")
    assert page.locator("[data-tasteget-loading], [data-tasteget-fallback]").count() == 0
    height = frame_element.evaluate("element => element.getBoundingClientRect().height")
    assert height > 1000  # the whole form, no inner scrolling
    frame = frame_element.content_frame
    assert frame.locator("select[name=municipality]").input_value() == "stromsund"
    frame.get_by_label("Förnamn").fill("Embla")
    frame.get_by_label("Efternamn").fill("Ek")
    frame.get_by_role("textbox", name="E-post").fill("embla@example.org")
    frame.get_by_label("Jag samtycker", exact=False).check()
    frame.get_by_role("button", name="Skicka min anmälan").click()
    frame.get_by_role("heading", name="Tack!").wait_for()
    assert stored(site_server, "embla@example.org") == {
        "kind": "guidance",
        "municipality": "stromsund",
        "source": origin,
        "count": 1,
    }
    page.wait_for_function("parseFloat(document.querySelector('iframe[data-tasteget-form]').style.height) < 1000")


def test_an_embed_on_a_website_not_allowed_shows_the_full_form_link_within_seconds(site_server, page, other_origin):
    origin = other_origin(SNIPPET_PAGE.format(snippet=embed_snippet(site_server.url, "berg")))
    page.goto(origin + "/index.html", wait_until="commit")
    # While the form loads: a line saying so, never an empty box.
    loading = page.locator("[data-tasteget-loading]")
    link = page.locator("[data-tasteget-fallback] a")
    loading.or_(link).first.wait_for()
    if loading.count():
        assert loading.inner_text() == "Laddar anmälningsformuläret…"
        assert page.locator("iframe[data-tasteget-form]").evaluate("e => e.getBoundingClientRect().height") == 0
    # The browser refuses the frame; the loader notices within seconds and offers the link.
    page.wait_for_load_state("load")
    started = time.monotonic()
    link.wait_for(timeout=3000)
    assert time.monotonic() - started < 3
    assert link.inner_text() == "Anmäl dig till flyttvägledning på tasteget.nu"
    assert link.get_attribute("href") == site_server.url + "/anmal-intresse/?kommun=berg"
    assert page.locator("iframe[data-tasteget-form]").count() == 0
    assert page.locator("[data-tasteget-loading]").count() == 0
    # The link opens the full registration page, with the site around it and Berg chosen.
    link.click()
    page.wait_for_url(site_server.url + "/anmal-intresse/?kommun=berg")
    assert page.locator("header.site-header nav.main-nav").count() == 1
    assert page.locator("select[name=municipality]").input_value() == "berg"


def test_a_web_editor_of_krokom_allows_their_site_and_the_embed_loads_there(site_server, page, other_origin):
    origin = other_origin(SNIPPET_PAGE.format(snippet=embed_snippet(site_server.url, "krokom")))
    site_server.shell(
        "from django.contrib.auth.models import Group, User; "
        "u = User.objects.create_user('krokom-web', 'web@krokom.example', 'a-long-browser-password'); "
        "u.groups.add(Group.objects.get(name='Webbredaktör: Krokoms kommun'))"
    )
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill("krokom-web")
    page.locator("input[name=password]").fill("a-long-browser-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site_server.url + "/admin/")
    page.goto(site_server.url + "/admin/embed-code/")
    assert page.get_by_role("heading", name="Krokoms kommun").count() == 1
    assert page.get_by_role("heading", name="Bergs kommun").count() == 0
    websites = page.get_by_label("Webbplatser som får visa formuläret")
    websites.fill("https://www.krokom.se\nnot a website")
    page.get_by_role("button", name="Spara webbplatserna för Krokoms kommun").click()
    assert "Rad 2" in page.get_by_role("alert").inner_text()
    websites = page.get_by_label("Webbplatser som får visa formuläret")
    assert websites.input_value() == "https://www.krokom.se\nnot a website"  # nothing typed is lost
    websites.fill(f"https://www.krokom.se\n{origin}")
    page.get_by_role("button", name="Spara webbplatserna för Krokoms kommun").click()
    page.get_by_text(origin, exact=True).wait_for()
    page.goto(origin + "/index.html")
    page.wait_for_function("parseFloat(document.querySelector('iframe[data-tasteget-form]').style.height) > 1000")
    frame = page.locator("iframe[data-tasteget-form]").content_frame
    assert frame.locator("select[name=municipality]").input_value() == "krokom"
    page.goto(site_server.url + "/admin/embed-code/")
    row = page.get_by_role("row").filter(has_text=origin)
    assert "Inte än" not in row.inner_text()  # the admin shows when the form was last loaded there


def test_an_adviser_of_are_marks_a_registration_contacted_and_it_leaves_the_overdue_list(site_server, page):
    site_server.shell(
        "import datetime; from django.contrib.auth.models import Group, User; "
        "from intake.models import Registration; from places.models import Municipality; "
        "u = User.objects.create_user('are-browser', 'sara@are.example', 'a-long-browser-password'); "
        "u.groups.add(Group.objects.get(name='Flyttvägledare: Åre kommun')); "
        "are = Municipality.objects.get(slug='are', locale__language_code='sv'); "
        "Registration.objects.create(kind='guidance', municipality=are, source='tasteget.nu', language='sv', "
        "submission_key='browser-overdue', first_name='Sentid', last_name='Ingridsson', email='late@example.org', "
        "due_date=datetime.date.today() - datetime.timedelta(days=3))"
    )
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill("are-browser")
    page.locator("input[name=password]").fill("a-long-browser-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site_server.url + "/admin/")
    page.get_by_role("link", name="1 försenad").click()
    page.get_by_role("link", name="Vägledning", exact=False).first.wait_for()
    row = page.get_by_role("row").filter(has_text="Sentid")
    row.get_by_role("link").first.click()  # the registration
    page.goto(page.url.replace("/inspect/", "/edit/"))
    page.get_by_role("combobox", name="Kontaktstatus").select_option("contacted")
    page.get_by_role("textbox", name="Anteckning").fill("Ringde, återkommer i maj.")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(site_server.url + "/admin/registrations/")  # saved, back at the list
    page.goto(site_server.url + "/admin/registrations/?work=overdue")
    # By name: other browser tests' registrations may be listed, and the header row says "Försenad".
    assert page.get_by_role("row").filter(has_text="Sentid").count() == 0
    page.goto(site_server.url + "/admin/registrations/?work=new")
    assert page.get_by_role("row").filter(has_text="Sentid").count() == 0


def test_a_coordinator_imports_a_semicolon_file_with_bad_rows(site_server, page, tmp_path):
    site_server.shell(
        "from django.contrib.auth.models import Group, User; "
        "u = User.objects.create_user('samordnare', 'coordinator@example.org', 'a-long-browser-password'); "
        "u.groups.add(Group.objects.get(name='Ambassadörssamordnare'))"
    )
    spreadsheet = tmp_path / "ambassadorer.csv"
    spreadsheet.write_bytes(
        (
            "name;email;municipality;place;languages;moved_from;interests;text;consent_date\r\n"
            "Åsa;asa.browser@example.org;Åre;Järpen;sv;Göteborg;fjällen;Välkommen till Järpen!;2025-05-01\r\n"
            "Fel;fel.browser@example.org;Stockholm;;sv;;;Text;2025-01-01\r\n"
        ).encode("cp1252")
    )
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill("samordnare")
    page.locator("input[name=password]").fill("a-long-browser-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site_server.url + "/admin/")
    page.get_by_role("link", name="Importera ambassadörer").click()
    page.get_by_label("Kalkylark (CSV eller XLSX)").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Förhandsgranska").click()
    skipped = page.get_by_role("row").filter(has_text="Fel")
    assert "okänd kommun 'Stockholm'" in skipped.inner_text()
    assert "Ny" in page.get_by_role("row").filter(has_text="Åsa").inner_text()
    page.get_by_role("button", name="Importera 1 giltig rad").click()
    page.get_by_text("Importerat: 1 ny,").wait_for()  # "1 ny", not "1 nya"
    names = site_server.shell(
        "from ambassadors.models import Ambassador as A; "
        "print(sorted(A.objects.filter(email__endswith='browser@example.org').values_list('name', flat=True)))"
    )
    assert names.strip() == "['Åsa']"
