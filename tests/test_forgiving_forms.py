"""Forms that forgive: an error summary in the order of
the page with the field's own name and a specific message, a minimum fill
time that never blocks someone correcting errors, and a rate limit that
counts only valid submissions."""

import re
import time

import pytest
from django.test import override_settings

from intake.forms import issue_token
from intake.models import Registration
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db


def summary(body):
    block = re.search(r'<div class="error-summary".*?</ul>', body, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_summary_lists_errors_in_the_order_of_the_page_with_specific_messages(submit):
    empty = dict.fromkeys(("first_name", "last_name", "email", "municipality", "consent"), "")
    body = submit("/en/register/", {**GUIDANCE, **empty, "move_when": "never"}).content.decode()
    assert summary(body) == [
        "First name: Enter your first name.",
        "Last name: Enter your last name.",
        "E-mail: Enter your e-mail address.",
        "Where would you like to live? Choose a municipality.",  # no "?:"
        "When do you plan to move? Select a valid choice. never is not one of the available choices.",
        "Your consent: You need to agree before we can store your details.",
    ]
    assert "This field is required" not in body


def test_the_swedish_summary_is_as_specific(submit):
    body = submit("/bestall-magasinet/", {"first_name": "", "consent": "on"}).content.decode()
    items = summary(body)
    assert items[0].startswith("Förnamn: ")  # the message itself comes from the Swedish catalogue
    assert not any("Detta fält är obligatoriskt" in item for item in items)


def test_no_summary_entry_is_cut_mid_word(submit):
    body = submit("/en/register/", {**GUIDANCE, "consent": ""}).content.decode()
    for item in summary(body):
        label = item.split(": ", 1)[0]
        assert not re.search(r"\w…", label), item


@override_settings(INTAKE_MIN_FILL_SECONDS=30)
def test_sent_too_fast_points_at_no_hidden_field(submit):
    body = submit("/en/register/", GUIDANCE).content.decode()
    assert "quicker than a person can fill in the form" in summary(body)[0]
    assert 'href="#id_form_token"' not in body and 'href="#id_website"' not in body
    assert Registration.objects.count() == 0


@override_settings(INTAKE_MIN_FILL_SECONDS=30)
def test_a_person_correcting_errors_is_never_sent_too_fast(client):
    begun = form_values(client.get("/en/register/").content.decode())
    begun["form_token"] = issue_token("guidance", started=int(time.time()) - 60)  # opened a minute ago
    first = client.post("/en/register/", {**begun, **GUIDANCE, "first_name": ""})
    assert first.status_code == 200 and "Enter your first name." in first.content.decode()
    # Corrected at once: the form was opened a minute ago, not just now.
    corrected = client.post("/en/register/", {**form_values(first.content.decode()), **GUIDANCE})
    assert "quicker than a person" not in corrected.content.decode()
    assert corrected.status_code == 302
    assert Registration.objects.count() == 1


@override_settings(INTAKE_RATE_LIMIT=2)
def test_failed_attempts_do_not_count_toward_the_rate_limit_valid_ones_do(client):
    def post(data):
        html = client.get("/en/register/").content.decode()
        return client.post("/en/register/", {**form_values(html), **data}).status_code

    assert [post({**GUIDANCE, "email": "wrong"}) for _ in range(5)] == [200] * 5
    valid = [post({**GUIDANCE, "email": f"p{n}@example.org"}) for n in range(3)]
    assert valid == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_the_thank_you_page_has_an_address_in_the_form_s_language(client):
    from tests.conftest import GUIDANCE, form_values

    for form, thanks in (("/anmal-intresse/", "/anmal-intresse/tack/"), ("/en/register/", "/en/register/thanks/")):
        html = client.get(form).content.decode()
        response = client.post(form, {**form_values(html), **GUIDANCE, "email": f"t{len(form)}@example.org"})
        assert response.status_code == 302
        assert response["Location"].startswith(thanks + "?r="), response["Location"]
        assert client.get(response["Location"]).status_code == 200
    # An address sent before (or typed) in the other language's words still works.
    assert client.get("/en/register/tack/").status_code == client.get("/en/register/thanks/").status_code
