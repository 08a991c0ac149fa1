"""Region staff keep the municipalities' report contacts (issue 22.24): their
group may open and change the municipality snippet. Which fields they may
change there is decided by places.models.OWNER_FIELDS and its hook."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Region: anmälningar"
CODENAMES = ["view_municipality", "change_municipality"]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("places"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    found = Permission.objects.filter(content_type__app_label="places", codename__in=CODENAMES)
    for group in Group.objects.filter(name=GROUP):
        group.permissions.add(*found)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    found = Permission.objects.filter(content_type__app_label="places", codename__in=CODENAMES)
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0006_clean_embed_origins"),
        ("intake", "0002_adviser_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
