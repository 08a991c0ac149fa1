"""Every page type can be previewed in the admin, and every block an editor
picks explains itself (a description) and previews with sample content."""

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail.fields import StreamField
from wagtail.models import Page, get_page_models

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"home", "stories", "magazine", "ambassadors", "intake"}


def project_page_models():
    return [model for model in get_page_models() if model._meta.app_label in PROJECT_APPS and not model._meta.abstract]


def body_blocks():
    """The blocks editors choose in each page type's main StreamField."""
    found = {}
    for model in project_page_models():
        field = next((f for f in model._meta.get_fields() if isinstance(f, StreamField) and f.name == "body"), None)
        if field is None:
            continue
        for name, block in field.stream_block.child_blocks.items():
            found[f"{model.__name__}.{name}"] = block
    return found


@pytest.mark.parametrize("model", project_page_models(), ids=lambda model: model.__name__)
def test_every_page_type_renders_a_preview_in_every_language_it_has(model):
    pages = model.objects.live().filter(alias_of__isnull=True)
    assert pages.exists(), f"the demo content has no {model.__name__}"
    for page in pages:
        response = page.make_preview_request()
        assert response.status_code == 200, (model.__name__, page.url_path)


@pytest.mark.parametrize("name", sorted(body_blocks()))
def test_every_block_is_described_and_previews(admin_client, name):
    block = body_blocks()[name]
    assert block.meta.description, f"{name} has no description for the block picker"
    assert block.meta.icon != "placeholder", name
    assert block.is_previewable, f"{name} shows no preview in the block picker"
    response = admin_client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
    assert response.status_code == 200, name
    body = response.content.decode()
    assert "/static/css/site.css" in body  # previews look like the public site
    assert "<main>" in body and 'class="container prose"' in body
    expected = {"image": "<picture>", "video": "Vintern i Vemdalen", "checklist": "Folkbokför dig hos Skatteverket"}
    assert expected.get(name.split(".")[1], "") in body


def test_every_editable_field_of_the_new_page_types_has_help_text():
    for label in ("home.GuideIndexPage", "home.GuidePage"):
        model = apps.get_model(label)
        own = [f for f in model._meta.local_fields if f.editable and not f.primary_key and f.name != "page_ptr"]
        assert own and all(field.help_text for field in own), [f.name for f in own if not f.help_text]
    assert Page.objects.type(apps.get_model("home.GuidePage")).exists()
