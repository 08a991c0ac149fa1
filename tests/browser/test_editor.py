"""An editor's main job in a real browser: write a story, schedule it, get it
approved, translate it into English, submit the translation for moderation,
and see both go live — through the Moderators' approval, never published by
the editor alone."""

import datetime
import re
import urllib.error
import urllib.request
import zoneinfo

ENGLISH = {
    "Vi valde Bräcke": "We chose Bräcke",
    "Lina och Omar": "Lina and Omar",
    "Från Malmö till skogen på ett år.": "From Malmö to the forest in a year.",
}


def status(url):
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def log_in(site_server, page, username):
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("a-long-browser-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site_server.url + "/admin/")


def test_an_editor_schedules_and_translates_a_story_that_goes_live_through_moderation(site_server, browser):
    site_server.shell(
        "from django.contrib.auth.models import Group, User; "
        "e = User.objects.create_user('redaktor', 'ed@example.org', 'a-long-browser-password', first_name='Eda'); "
        "e.groups.add(Group.objects.get(name='Editors')); "
        "m = User.objects.create_user('moderator', 'mod@example.org', 'a-long-browser-password', first_name='Mona'); "
        "m.groups.add(Group.objects.get(name='Moderators'))"
    )
    index_id = site_server.shell(
        "from stories.models import StoryIndexPage; print(StoryIndexPage.objects.get(locale__language_code='sv').pk)"
    ).strip()
    editor = browser.new_context(locale="sv-SE", viewport={"width": 1400, "height": 1000}).new_page()
    moderator = browser.new_context(locale="sv-SE", viewport={"width": 1400, "height": 1000}).new_page()

    # 1. The editor writes the story, chooses the municipality and schedules it two hours ahead.
    log_in(site_server, editor, "redaktor")
    editor.goto(f"{site_server.url}/admin/pages/add/stories/storypage/{index_id}/")
    editor.get_by_role("textbox", name="Titel*").fill("Vi valde Bräcke")
    editor.get_by_role("textbox", name="Vem*").fill("Lina och Omar")
    editor.get_by_role("button", name="Välj kommun").click()
    editor.get_by_role("dialog").get_by_role("link", name="Bräcke kommun", exact=True).click()
    editor.get_by_role("textbox", name="Ingress*").fill("Från Malmö till skogen på ett år.")
    editor.locator("button[data-side-panel-toggle='status']").click()
    editor.locator("[data-side-panel='status']").get_by_role("button", name="Sätt schema").click()
    schedule = editor.get_by_role("dialog").filter(has_text="Publicera vid")
    go_live = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Stockholm")) + datetime.timedelta(hours=2)
    schedule.get_by_label("Publicera vid datum/tid").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    # By keyboard, as the date picker's calendar covers the button for a pointer.
    schedule.get_by_role("button", name="Spara schema").focus()
    editor.keyboard.press("Enter")
    # Editors cannot publish: they submit to the Moderators.
    editor.get_by_role("button", name="Fler åtgärder").click()
    assert editor.get_by_role("button", name=re.compile("^Publicera")).count() == 0
    editor.get_by_role("button", name="Lämna in till Moderators approval").click()
    editor.get_by_text("har blivit inlämnad för moderering").wait_for()

    # 2. The moderator approves it from the dashboard; it is scheduled, not live.
    log_in(site_server, moderator, "moderator")
    row = moderator.locator("#awaiting-review-section, section").get_by_role("row").filter(has_text="Vi valde Bräcke")
    row.hover()
    next(button for button in row.locator("button").all() if not button.inner_text().strip()).click()
    row.get_by_role("button", name="Godkänn", exact=True).click()
    row.wait_for(state="detached")  # gone from "awaiting your review"
    story = site_server.url + "/berattelser/vi-valde-bracke/"
    state = (
        "from stories.models import StoryPage as S; "
        "p = S.objects.get(title='Vi valde Bräcke', locale__language_code='sv'); "
    )
    assert site_server.shell(state + "print(p.live, p.scheduled_revision is not None)").strip() == "False True"
    site_server.shell("from django.core.management import call_command; call_command('housekeeping')")
    assert status(story) == 404  # before its time

    # 3. The time comes (moved, not waited for): the housekeeping loop publishes it.
    site_server.shell(
        state + "import datetime; from django.utils import timezone; "
        "r = p.scheduled_revision; past = timezone.now() - datetime.timedelta(minutes=1); "
        "r.content['go_live_at'] = past.isoformat(); "
        "type(r).objects.filter(pk=r.pk).update(approved_go_live_at=past, content=r.content); "
        "from django.core.management import call_command; call_command('housekeeping')"
    )
    assert site_server.shell(state + "print(p.live, p.url)").strip() == "True /berattelser/vi-valde-bracke/"
    assert status(story) == 200

    # 4. The editor translates it into English; the moderator publishes the translation.
    page_id = site_server.shell(state + "print(p.pk)").strip()
    editor.goto(f"{site_server.url}/admin/localize/submit/page/{page_id}/")
    editor.get_by_label("English").check()
    editor.locator("main button[type=submit], main input[type=submit]").first.click()
    editor.get_by_text("svenska to English translation").first.wait_for()
    for swedish, english in ENGLISH.items():
        segments = editor.locator("li, div").filter(has_text=swedish)
        block = segments.filter(has=editor.get_by_role("button", name="Översätt")).last
        # By keyboard: the translation editor's sticky header can cover a button for a pointer.
        block.get_by_role("button", name="Översätt").focus()
        editor.keyboard.press("Enter")
        block.locator("textarea").fill(english)
        block.get_by_role("button", name="Spara").focus()
        editor.keyboard.press("Enter")
        editor.get_by_text(english, exact=True).first.wait_for()  # saved, shown as the translation
    # Not published by the editor: no publish action in the translation editor.
    assert editor.locator("footer").get_by_role("button", name=re.compile("^Publicera")).count() == 0
    english_id = site_server.shell(state + "print(p.get_translations().get(locale__language_code='en').pk)").strip()
    english_url = site_server.url + "/en/stories/vi-valde-bracke/"
    assert status(english_url) == 404

    # The editor hands the finished translation to the moderators ...
    editor.get_by_role("button", name="Lämna in översättningen för moderering").focus()
    editor.keyboard.press("Enter")
    editor.get_by_text("har lämnats in för moderering").wait_for()
    assert status(english_url) == 404
    # ... and the moderator finds it on the dashboard and approves it: it is published.
    moderator.goto(f"{site_server.url}/admin/")
    row = moderator.locator("#awaiting-review-section, section").get_by_role("row").filter(has_text="We chose Bräcke")
    row.hover()
    next(button for button in row.locator("button").all() if not button.inner_text().strip()).click()
    row.get_by_role("button", name="Godkänn", exact=True).click()
    row.wait_for(state="detached")
    assert (
        site_server.shell(f"from wagtail.models import Page; print(Page.objects.get(pk={english_id}).live)").strip()
        == "True"
    )
    moderator.goto(english_url)
    assert moderator.get_by_role("heading", level=1).inner_text() == "We chose Bräcke"
    # The English story names the municipality in English, and no Swedish-named copy was made.
    assert "Bräcke Municipality" in moderator.locator("main").inner_text()
    editor.context.close()
    moderator.context.close()
