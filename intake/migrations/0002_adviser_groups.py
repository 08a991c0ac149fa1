"""One Wagtail group per municipality's advisers, and one for Region staff."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    create_permissions(global_apps.get_app_config("intake"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Municipality = apps.get_model("home", "Municipality")
    AdviserGroup = apps.get_model("intake", "AdviserGroup")

    def perms(*names):
        found = []
        for name in names:
            app_label, codename = name.split(".")
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    adviser_perms = perms("wagtailadmin.access_admin", "intake.view_registration")
    for municipality in Municipality.objects.filter(locale__language_code="sv"):
        group, _ = Group.objects.get_or_create(name=f"Flyttvägledare: {municipality.name}")
        group.permissions.add(*adviser_perms)
        AdviserGroup.objects.get_or_create(group=group, defaults={"municipality": municipality})

    region, _ = Group.objects.get_or_create(name="Region: anmälningar")
    region.permissions.add(
        *perms(
            "wagtailadmin.access_admin",
            "intake.view_registration",
            "intake.change_registration",
            "intake.view_all_registrations",
            "intake.retry_delivery",
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("home", "0002_seed_municipalities"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
