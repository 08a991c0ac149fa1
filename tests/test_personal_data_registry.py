"""Every app that holds personal data owns its part of an access request and
an erasure (privacy/registry.py): it names a module that finds, shows and
erases one person's data, and privacy/ only asks every such module in turn.

"Holds personal data", mechanically: a model with an e-mail field, or a
field whose name says e-mail, phone, first or last name. The few such
models that hold no data of the people the person view serves are listed
below, each with the reason; any other one, in an app that declares no
module, fails the test — a new app with personal data cannot be forgotten.
"""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from django_tasks_db.models import DBTaskResult

from privacy import registry
from tasteget import task_results
from tasteget.personal_data import Erasure
from tasteget.tasks import send_email
from tests.test_architecture import APPS

NOT_A_PERSON_IN_THE_PERSON_VIEW = {
    "places.Adviser": "a moving adviser's work contact, published on purpose and kept by editors while in the role",
    "places.Municipality": "the staff addresses that receive the municipality's quarterly report",
    "places.CoworkingSpace": "an organisation's contact details",
    "home.SiteSettings": "the site's own contact details",
    "reports.QuarterlyReportSent": "which staff address got a quarter's report: a municipality's recipient",
}
PERSONAL_NAMES = ("email", "phone", "first_name", "last_name")


def holds_personal_data(model):
    return any(
        isinstance(field, models.EmailField) or any(name in field.name for name in PERSONAL_NAMES)
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
    )


def undeclared(app_configs):
    """The models with personal data in our apps whose app declares no personal_data module."""
    return sorted(
        model._meta.label
        for config in app_configs
        if config.label in APPS and not getattr(config, "personal_data", "")
        for model in config.get_models()
        if holds_personal_data(model) and model._meta.label not in NOT_A_PERSON_IN_THE_PERSON_VIEW
    )


def test_every_app_with_personal_data_declares_how_it_is_found_shown_and_erased():
    assert undeclared(apps.get_app_configs()) == []
    assert set(registry.declared()) >= {"intake", "ambassadors"}


def test_the_exemptions_are_models_that_exist_and_hold_such_fields():
    for label in NOT_A_PERSON_IN_THE_PERSON_VIEW:
        assert holds_personal_data(apps.get_model(label)), label


@isolate_apps("stories")
def test_a_new_model_with_personal_data_in_an_app_that_declares_nothing_fails():
    class Volunteer(models.Model):
        contact = models.EmailField()

        class Meta:
            app_label = "stories"

        def __str__(self):
            return self.contact

    class Topic(models.Model):
        title = models.CharField(max_length=10)

        class Meta:
            app_label = "stories"

        def __str__(self):
            return self.title

    class Stories:
        label = "stories"

        def get_models(self):
            return [Volunteer, Topic]

    assert undeclared([Stories()]) == ["stories.Volunteer"]


def test_every_declared_module_provides_what_privacy_asks_for():
    holders = dict(registry.holders())
    assert set(holders) == set(registry.declared())
    for label, module in holders.items():
        for what, text in module.RECEIPT_LABELS.items():
            assert str(text) % {"id": 1, "count": 2}, (label, what)
    kinds = [(label, kind) for label, kind, _plural in registry.kinds()]
    assert len(kinds) == len(set(kinds))


@pytest.mark.django_db
def test_task_results_are_matched_by_an_argument_equal_to_the_address_not_by_a_substring():
    to_her = send_email.enqueue(["Sara.Lind@example.org"], "Hej", "Hej Sara")
    her_reply_to = send_email.enqueue(
        ["ambassador@example.org"], "Ett meddelande", "…", reply_to=["sara.lind@example.org"]
    )
    to_someone_else = send_email.enqueue(["karin.sara.lind@example.org"], "Hej", "Hej Karin")
    in_a_text_only = send_email.enqueue(["olle@example.org"], "Hej", "Skriv till sara.lind@example.org")

    items = task_results.erase_person(None, Erasure(now=None, emails={"sara.lind@example.org"}))

    assert items == [{"what": "task results", "count": 2, "done": "deleted"}]
    mine = [str(result.id) for result in (to_her, her_reply_to, to_someone_else, in_a_text_only)]
    kept = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} & set(mine)
    assert kept == {str(to_someone_else.id), str(in_a_text_only.id)}
