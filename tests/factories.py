"""Factories for unit tests: each builds what a test needs, with no reliance
on the demo copy (which the page and browser tests still use).

Pages are created under a parent given by the test (`parent=`), or under the
Swedish home page when none is given.
"""

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Locale

from ambassadors.models import AmbassadorApplication
from home.models import ContentPage, GuideIndexPage, GuidePage, HomePage
from intake import consent
from intake.choices import ContactMethod, Kind
from intake.models import Consent, Delivery, Registration
from intake.working_days import add_working_days
from places.models import Adviser, CoworkingSpace, Municipality
from stories.models import StoryPage


def swedish():
    return Locale.objects.get(language_code="sv")


class MunicipalityFactory(DjangoModelFactory):
    """A canonical (Swedish) municipality; translate it with `copy_for_translation`."""

    class Meta:
        model = Municipality

    locale = factory.LazyFunction(swedish)
    name = factory.Sequence(lambda number: f"Provkommun {number}")
    slug = factory.Sequence(lambda number: f"prov-{number}")
    sort_order = 50


class AdviserFactory(DjangoModelFactory):
    class Meta:
        model = Adviser

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda number: f"Rådgivare {number}")
    email = factory.Sequence(lambda number: f"adviser{number}@example.org")


class CoworkingSpaceFactory(DjangoModelFactory):
    class Meta:
        model = CoworkingSpace

    locale = factory.LazyFunction(swedish)
    name = factory.Sequence(lambda number: f"Kontorshotell {number}")
    municipality = factory.SubFactory(MunicipalityFactory)
    address = "Storgatan 1"


class RegistrationFactory(DjangoModelFactory):
    """A guidance registration with its consent record (as `register` stores it)."""

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    kind = Kind.GUIDANCE
    municipality = factory.SubFactory(MunicipalityFactory)
    source = "tasteget.nu"
    language = "sv"
    submission_key = factory.Sequence(lambda number: f"factory-{number}")
    first_name = "Anna"
    last_name = "Andersson"
    email = factory.Sequence(lambda number: f"person{number}@example.org")
    preferred_contact = ContactMethod.EMAIL
    due_date = factory.LazyFunction(lambda: add_working_days(timezone.localdate(), 5))

    @factory.post_generation
    def with_consent(registration, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        version, _text = consent.current(registration.kind)
        Consent.objects.create(
            registration=registration,
            purpose=registration.kind,
            text=consent.shown_text(registration.kind, version, registration.language),
            version=version,
            language=registration.language,
        )


class AmbassadorApplicationFactory(DjangoModelFactory):
    """An application to become an ambassador, as the form stores it."""

    class Meta:
        model = AmbassadorApplication

    name = "Namn Efternamn"
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    municipality = factory.SubFactory(MunicipalityFactory)
    languages = "svenska"
    text = "Jag gillar fjällen."
    consent_text = "Jag samtycker."
    consent_version = "1"
    consent_language = "sv"
    submission_key = factory.Sequence(lambda n: f"application-{n}")


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    registration = factory.SubFactory(RegistrationFactory)
    channel = Delivery.Channel.CRM


class HomePageParent(factory.declarations.BaseDeclaration):
    """Default parent: the Swedish home page (created by migrations and the demo loader)."""

    def evaluate(self, instance, step, extra):
        return HomePage.objects.get(locale__language_code="sv")


class ContentPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ContentPage

    parent = HomePageParent()
    title = factory.Sequence(lambda number: f"Sida {number}")
    intro = "En inledning."


class GuideIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = GuideIndexPage

    parent = HomePageParent()
    title = factory.Sequence(lambda number: f"Avdelning {number}")


class GuidePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = GuidePage

    parent = factory.SubFactory(GuideIndexPageFactory)
    title = factory.Sequence(lambda number: f"Guide {number}")
    intro = "Steg för steg."


class StoryPageFactory(wagtail_factories.PageFactory):
    """A story; give `parent=` the story index it belongs under."""

    class Meta:
        model = StoryPage

    title = factory.Sequence(lambda number: f"Berättelse {number}")
    people = "Anna och Johan"
    municipality = factory.SubFactory(MunicipalityFactory)
    intro = "Vi flyttade hit."
