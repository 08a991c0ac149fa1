"""The group whose members handle ambassador applications (view and change status)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Ambassadörssamordnare"


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    create_permissions(global_apps.get_app_config("ambassadors"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for name in (
        "wagtailadmin.access_admin",
        "ambassadors.view_ambassadorapplication",
        "ambassadors.change_ambassadorapplication",
    ):
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0003_ambassador_application"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
