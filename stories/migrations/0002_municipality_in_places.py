"""Stories point at the municipality in its new app, places (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0001_initial'),
        ('stories', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of the app changes.
            state_operations=[
                migrations.AlterField(
                    model_name='storypage',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stories', to='places.municipality', verbose_name='municipality'),
                ),
            ],
            database_operations=[],
        ),
    ]
