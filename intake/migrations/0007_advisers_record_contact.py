"""Advisers record their contact with each person (change) and may retry a
failed delivery of their municipality's registrations."""

from django.db import migrations

PERMISSIONS = ["change_registration", "retry_delivery"]


def grant(apps, schema_editor, add=True):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="intake", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__startswith="Flyttvägledare: "):
        (group.permissions.add if add else group.permissions.remove)(*perms)


def revoke(apps, schema_editor):
    grant(apps, schema_editor, add=False)


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_contact_record")]

    operations = [migrations.RunPython(grant, revoke)]
