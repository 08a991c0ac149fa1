"""The data protection officer's group: the admin, and finding, exporting and
erasing a person's data with the access log (intake.view_person). No other
permission: the officer sees a person's data through the person view only
(docs/roles.md)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Dataskyddsombud"


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    create_permissions(global_apps.get_app_config("intake"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for name in ("wagtailadmin.access_admin", "intake.view_person"):
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("intake", "0011_retention_and_access_log"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
