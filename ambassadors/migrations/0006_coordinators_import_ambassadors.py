"""The ambassador coordinators keep the network: they import and edit ambassadors."""

from django.db import migrations

GROUP_NAME = "Ambassadörssamordnare"
CODENAMES = ["add_ambassador", "change_ambassador", "view_ambassador"]


def grant(apps, schema_editor, add=True):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="ambassadors", codename__in=CODENAMES))
    for group in Group.objects.filter(name=GROUP_NAME):
        (group.permissions.add if add else group.permissions.remove)(*perms)


def revoke(apps, schema_editor):
    grant(apps, schema_editor, add=False)


class Migration(migrations.Migration):
    dependencies = [("ambassadors", "0005_places")]

    operations = [migrations.RunPython(grant, revoke)]
