"""Seed the county's eight municipalities and the Region, in Swedish and English.

Swedish is the canonical record; English is created as its translation
(same translation_key). Idempotent: existing slugs are left as they are.
"""

import uuid

from django.db import migrations

MUNICIPALITIES = [
    # slug, kind, Swedish name, English name
    ("berg", "municipality", "Bergs kommun", "Berg Municipality"),
    ("bracke", "municipality", "Bräcke kommun", "Bräcke Municipality"),
    ("harjedalen", "municipality", "Härjedalens kommun", "Härjedalen Municipality"),
    ("krokom", "municipality", "Krokoms kommun", "Krokom Municipality"),
    ("ragunda", "municipality", "Ragunda kommun", "Ragunda Municipality"),
    ("stromsund", "municipality", "Strömsunds kommun", "Strömsund Municipality"),
    ("are", "municipality", "Åre kommun", "Åre Municipality"),
    ("ostersund", "municipality", "Östersunds kommun", "Östersund Municipality"),
    ("region", "region", "Region Jämtland Härjedalen", "Region Jämtland Härjedalen"),
]


def seed(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Municipality = apps.get_model("home", "Municipality")
    swedish, _ = Locale.objects.get_or_create(language_code="sv")
    english, _ = Locale.objects.get_or_create(language_code="en")
    for order, (slug, kind, name_sv, name_en) in enumerate(MUNICIPALITIES, start=1):
        source = Municipality.objects.filter(locale=swedish, slug=slug).first()
        if source is None:
            source = Municipality.objects.create(
                locale=swedish,
                translation_key=uuid.uuid4(),
                slug=slug,
                kind=kind,
                sort_order=order,
                name=name_sv,
            )
        Municipality.objects.get_or_create(
            locale=english,
            translation_key=source.translation_key,
            defaults={"slug": slug, "kind": kind, "sort_order": order, "name": name_en},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
