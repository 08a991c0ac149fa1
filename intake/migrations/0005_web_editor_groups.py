"""One group per municipality for its web editors: the embed code and the
municipality's allowed websites, and no registrations."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PREFIX = "Webbredaktör: "


def create_groups(apps, schema_editor):
    create_permissions(global_apps.get_app_config("intake"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Municipality = apps.get_model("places", "Municipality")
    AdviserGroup = apps.get_model("intake", "AdviserGroup")
    perms = [
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="intake", codename="manage_embed"),
    ]
    for municipality in Municipality.objects.filter(locale__language_code="sv").exclude(kind="region"):
        group, _ = Group.objects.get_or_create(name=PREFIX + municipality.name)
        group.permissions.add(*perms)
        AdviserGroup.objects.get_or_create(group=group, defaults={"municipality": municipality})


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__startswith=PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_embed_loads"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
