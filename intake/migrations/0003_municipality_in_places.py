"""Registrations point at the municipality in its new app, places (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0002_adviser_groups'),
        ('places', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of the app changes.
            state_operations=[
                migrations.AlterField(
                    model_name='advisergroup',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='places.municipality'),
                ),
                migrations.AlterField(
                    model_name='registration',
                    name='municipality',
                    field=models.ForeignKey(help_text='Always the Swedish (canonical) record; the Region when none was chosen.', on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='places.municipality', verbose_name='municipality'),
                ),
            ],
            database_operations=[],
        ),
    ]
