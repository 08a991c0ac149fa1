"""Municipalities, advisers and coworking spaces move here from home/ and
ambassadors/ without moving their data: the tables keep their names
(`db_table`), and the content types are renamed so that revisions, logs,
translations, permissions and search entries still find their objects."""

import django.db.models.deletion
import modelsearch.index
import places.models
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED = [("home", "municipality"), ("home", "adviser"), ("ambassadors", "coworkingspace"), ("ambassadors", "coworkingindexpage")]


def rename(apps, moves):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in moves:
        if not ContentType.objects.filter(app_label=new_app, model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def move_content_types(apps, schema_editor):
    rename(apps, [(item, "places") for item in MOVED])


def move_content_types_back(apps, schema_editor):
    rename(apps, [(("places", model), old_app) for old_app, model in MOVED])


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('ambassadors', '0004_ambassador_coordinators_group'),
        ('home', '0003_international_house_guides'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of the app changes.
            state_operations=[
                migrations.CreateModel(
                    name='CoworkingIndexPage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('intro', models.TextField(blank=True, max_length=600, verbose_name='introduction')),
                    ],
                    options={
                        'verbose_name': 'coworking listing',
                        'db_table': 'ambassadors_coworkingindexpage',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='Municipality',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('translation_key', models.UUIDField(default=uuid.uuid4, editable=False)),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('slug', models.SlugField(help_text="Short name used in addresses and the embed code, such as 'are'.", max_length=40, verbose_name='slug')),
                        ('kind', models.CharField(choices=[('municipality', 'Municipality'), ('region', 'Region (no specific municipality)')], default='municipality', max_length=20, verbose_name='kind')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('presentation', models.TextField(blank=True, max_length=1000, verbose_name='short presentation')),
                        ('embed_origins', models.TextField(blank=True, help_text='One origin per line, such as https://www.are.se. Only these sites may show the form in a frame.', validators=[places.models.validate_origins], verbose_name='websites allowed to embed the registration form')),
                        ('locale', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='wagtailcore.locale', verbose_name='locale')),
                    ],
                    options={
                        'verbose_name': 'municipality',
                        'verbose_name_plural': 'municipalities',
                        'db_table': 'home_municipality',
                        'ordering': ['sort_order', 'name'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='CoworkingSpace',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('translation_key', models.UUIDField(default=uuid.uuid4, editable=False)),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('place', models.CharField(blank=True, max_length=120, verbose_name='place')),
                        ('address', models.CharField(max_length=200, verbose_name='street address')),
                        ('opening_hours', models.CharField(blank=True, help_text="Such as 'Weekdays 7–22, members around the clock'.", max_length=200, verbose_name='opening hours')),
                        ('facilities', models.TextField(blank=True, help_text='Desks, meeting rooms, fibre, kitchen, parking …', max_length=600, verbose_name='facilities')),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='contact e-mail')),
                        ('contact_phone', models.CharField(blank=True, max_length=40, verbose_name='contact phone')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('latitude', models.DecimalField(blank=True, decimal_places=5, max_digits=8, null=True, verbose_name='latitude')),
                        ('longitude', models.DecimalField(blank=True, decimal_places=5, max_digits=8, null=True, verbose_name='longitude')),
                        ('locale', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='wagtailcore.locale', verbose_name='locale')),
                        ('municipality', models.ForeignKey(limit_choices_to=places.models.canonical_municipalities, on_delete=django.db.models.deletion.PROTECT, related_name='coworking_spaces', to='places.municipality', verbose_name='municipality')),
                    ],
                    options={
                        'verbose_name': 'coworking space',
                        'verbose_name_plural': 'coworking spaces',
                        'db_table': 'ambassadors_coworkingspace',
                        'ordering': ['name'],
                        'abstract': False,
                    },
                    bases=(modelsearch.index.Indexed, models.Model),
                ),
                migrations.CreateModel(
                    name='Adviser',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('crm_owner_id', models.PositiveIntegerField(blank=True, help_text="The adviser's associate id in SuperOffice; follow-ups are assigned to it.", null=True, verbose_name='CRM owner id')),
                        ('is_active', models.BooleanField(default=True, verbose_name='receives registrations')),
                        ('municipality', models.ForeignKey(limit_choices_to=places.models.canonical_municipalities, on_delete=django.db.models.deletion.CASCADE, related_name='advisers', to='places.municipality', verbose_name='municipality')),
                    ],
                    options={
                        'verbose_name': 'moving adviser',
                        'verbose_name_plural': 'moving advisers',
                        'db_table': 'home_adviser',
                        'ordering': ['municipality__sort_order', 'name'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='municipality',
                    constraint=models.UniqueConstraint(fields=('locale', 'slug'), name='unique_municipality_slug_per_locale'),
                ),
                migrations.AlterUniqueTogether(
                    name='municipality',
                    unique_together={('translation_key', 'locale')},
                ),
                migrations.AlterUniqueTogether(
                    name='coworkingspace',
                    unique_together={('translation_key', 'locale')},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
