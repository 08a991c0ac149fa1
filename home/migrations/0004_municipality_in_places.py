"""Municipalities and advisers now live in places/ (same tables): municipality
pages point there, and home forgets the models without dropping a table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_international_house_guides"),
        ("places", "0001_initial"),
        ("intake", "0003_municipality_in_places"),
        ("stories", "0002_municipality_in_places"),
        ("ambassadors", "0005_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of the app changes.
            state_operations=[
                migrations.AlterField(
                    model_name="municipalitypage",
                    name="municipality",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pages",
                        to="places.municipality",
                        verbose_name="municipality",
                    ),
                ),
                migrations.DeleteModel(name="Adviser"),
                migrations.DeleteModel(name="Municipality"),
            ],
            database_operations=[],
        ),
    ]
