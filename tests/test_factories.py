"""The factories build valid objects on their own (no demo copy needed)."""

import pytest

from intake.models import Delivery
from intake.outbox.payload import build_payload
from places.models import Adviser
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_registration_routes_to_its_own_municipalitys_adviser():
    adviser = factories.AdviserFactory()
    registration = factories.RegistrationFactory(municipality=adviser.municipality)
    assert list(Adviser.objects.serving(registration.municipality)) == [adviser]
    delivery = factories.DeliveryFactory(registration=registration)
    payload = build_payload(delivery)
    assert payload["municipality"]["slug"] == adviser.municipality.slug
    assert payload["consent"]["purpose"] == "guidance" and payload["id"] == str(delivery.external_id)
    assert delivery.status == Delivery.Status.PENDING


def test_pages_are_created_in_the_tree_and_served(client):
    guide = factories.GuidePageFactory(title="Bankkonto")
    assert guide.get_parent().specific.__class__.__name__ == "GuideIndexPage"
    assert client.get(guide.url).status_code == 200
    page = factories.ContentPageFactory()
    assert page.live and client.get(page.url).status_code == 200
