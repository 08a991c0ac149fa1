"""Ambassadors point at the municipality in its new app, places; coworking
spaces and their listing page now live there (same tables)."""

import django.db.models.deletion
from django.db import migrations, models

import places.models


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0004_ambassador_coordinators_group"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of the app changes.
            state_operations=[
                migrations.AlterField(
                    model_name="ambassador",
                    name="municipality",
                    field=models.ForeignKey(
                        limit_choices_to=places.models.canonical_municipalities,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ambassadors",
                        to="places.municipality",
                        verbose_name="municipality",
                    ),
                ),
                migrations.AlterField(
                    model_name="ambassadorapplication",
                    name="municipality",
                    field=models.ForeignKey(
                        help_text="Where the applicant lives; always the Swedish (canonical) record.",
                        limit_choices_to=places.models.canonical_municipalities,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ambassador_applications",
                        to="places.municipality",
                        verbose_name="municipality",
                    ),
                ),
                migrations.DeleteModel(name="CoworkingIndexPage"),
                migrations.DeleteModel(name="CoworkingSpace"),
            ],
            database_operations=[],
        ),
    ]
