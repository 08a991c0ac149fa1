"""case_key gets a database default: 0018 added it NOT NULL with a default in
Python only (Django drops the column default after filling the rows), so the
release before it, which inserts registrations without the column, failed
every registration while a rolling deploy ran. With the database default
its INSERTs get "" (no open case), as the new code's do. The gap left is the
seconds between 0018 and this migration inside the migrate Job."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0018_one_case_per_person'),
    ]

    operations = [
        migrations.AlterField(
            model_name='registration',
            name='case_key',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=100),
        ),
    ]
