"""Advisers and Region staff see the meet-up sign-ups and mark who came.

Which sign-ups each sees is the queryset's business (Signup.objects.visible_to:
an adviser only those of their municipality's meet-ups); the snippet list
itself needs the model permissions, which only superusers had.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_signup", "change_signup"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    create_permissions(global_apps.get_app_config("events"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    AdviserGroup = apps.get_model("intake", "AdviserGroup")
    permissions = Permission.objects.filter(content_type__app_label="events", codename__in=PERMISSIONS)
    # Adviser groups (not the web editor groups, which share AdviserGroup but
    # see no registrations) and Region staff.
    readers = Group.objects.filter(
        permissions__content_type__app_label="intake", permissions__codename="view_registration"
    )
    groups = readers.filter(pk__in=AdviserGroup.objects.values("group")) | readers.filter(name="Region: anmälningar")
    for group in groups:
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.all():
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="events", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("intake", "0020_alter_consent_purpose_alter_registration_kind"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
