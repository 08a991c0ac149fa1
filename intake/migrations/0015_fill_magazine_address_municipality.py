"""Record where the address of every magazine order still holding one lies.

A copy of intake.services.magazine_address_area as it was written (a
migration must not change when the app code does). The postal code table is
empty until Region staff (or the demo content) fill it: orders stay "not
known" then, and the daily purge records them once the table has ranges.
Orders whose address was already removed stay "not known".
"""

import re

from django.db import migrations

SWEDEN = {"sverige", "sweden", "se", "swe", "schweden", "suède", "suede", "suecia", "svezia", "zweden", "ruotsi"}


def area_of(postal_code, country, ranges):
    name = re.sub(r"[\s.]+", " ", country or "").strip().lower()
    if name and name not in SWEDEN:
        return "outside", None
    digits = re.sub(r"\D", "", postal_code or "")
    if len(digits) != 5 or digits[0] == "0" or not ranges:
        return "", None
    found = next((municipality_id for first, last, municipality_id in ranges if first <= digits <= last), None)
    return ("county", found) if found else ("outside", None)


def fill(apps, schema_editor):
    Registration = apps.get_model("intake", "Registration")
    PostalCodeRange = apps.get_model("places", "PostalCodeRange")
    ranges = list(PostalCodeRange.objects.values_list("first", "last", "municipality_id"))
    orders = (
        Registration.objects.filter(kind="magazine", address_area="")
        .exclude(postal_code="")
        .values_list("pk", "postal_code", "country")
    )
    for pk, postal_code, country in orders.iterator():
        area, municipality_id = area_of(postal_code, country, ranges)
        if area:
            Registration.objects.filter(pk=pk).update(address_area=area, address_municipality_id=municipality_id)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0014_magazine_address_municipality"),
        ("places", "0004_postal_code_ranges"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
