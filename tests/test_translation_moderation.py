"""An editor hands a finished translation to the moderators, who
find it on their dashboard and publish it; the editor never publishes."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail_localize.models import StringSegment, Translation

from home.models import ContentPage

pytestmark = pytest.mark.django_db

ENGLISH = {"Vintern i Jämtland": "Winter in Jämtland", "Snö från november till april.": "Snow from November to April."}


def member(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def translated(client, home, locales, django_user_model):
    """An editor has translated every string of a page into English."""
    page = ContentPage(title="Vintern i Jämtland", slug="vintern-i-jamtland", intro="Snö från november till april.")
    home.add_child(instance=page)
    page.save_revision().publish()
    editor = member(django_user_model, "eda", "Editors")
    client.force_login(editor)
    response = client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]), {"locales": [locales["en"].pk]}
    )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=locales["en"])
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string"):
        response = client.put(
            reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
            data=urlencode({"value": ENGLISH.get(segment.string.data, segment.string.data)}),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in {200, 201}
    return translation, page.get_translation(locales["en"])


def test_an_editor_submits_a_translation_and_a_moderator_publishes_it_from_the_dashboard(
    client, translated, django_user_model, django_capture_on_commit_callbacks
):
    translation, english = translated
    moderator = member(django_user_model, "mona", "Moderators")
    editor_page = client.get(reverse("wagtailadmin_pages:edit", args=[english.pk])).content.decode()
    submit_url = reverse("tasteget_submit_translation", args=[translation.pk])
    assert f'action="{submit_url}"' in editor_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url)
    assert response.status_code == 302
    english = Page.objects.get(pk=english.pk).specific
    assert not english.live  # the editor has not published anything
    state = english.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision.as_object().title == "Winter in Jämtland"
    assert any("mona@example.org" in message.to for message in mail.outbox)  # the moderators are told
    assert (
        "väntar på en moderator" in client.get(reverse("wagtailadmin_pages:edit", args=[english.pk])).content.decode()
    )

    client.force_login(moderator)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Winter in Jämtland" in dashboard  # "Awaiting your review"
    task_state = state.current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[english.pk, "approve", task_state.pk]),
            {"comment": ""},
        )
    assert response.status_code in (200, 302)
    english = Page.objects.get(pk=english.pk)
    assert english.live and english.title == "Winter in Jämtland"
    assert "Snow from November to April." in client.get(english.url).content.decode()


def test_who_may_not_submit_gets_no_button_and_a_refusal(client, translated, django_user_model):
    translation, english = translated
    submit_url = reverse("tasteget_submit_translation", args=[translation.pk])
    # A moderator publishes directly: no submit button.
    client.force_login(member(django_user_model, "mona", "Moderators"))
    assert submit_url not in client.get(reverse("wagtailadmin_pages:edit", args=[english.pk])).content.decode()
    # An adviser may not edit pages at all.
    client.force_login(member(django_user_model, "are", "Flyttvägledare: Åre kommun"))
    assert client.post(submit_url).status_code in (302, 403)
    assert Page.objects.get(pk=english.pk).specific.current_workflow_state is None
    # GET never submits.
    client.force_login(member(django_user_model, "eda2", "Editors"))
    assert client.get(submit_url).status_code == 405
