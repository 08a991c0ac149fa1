"""Editors and moderators (Wagtail's groups) work on all content: snippets,
menus and footer (site settings), search promotions and searches without
results, coworking spaces, ambassadors and topics. Never registrations."""

from django.db import migrations

CONTENT = {
    "places": ["municipality", "adviser", "coworkingspace"],
    "ambassadors": ["ambassador"],
    "stories": ["storytopic"],
    "wagtailsearchpromotions": ["searchpromotion", "query"],
}
EXTRA = [
    ("home", "view_sitesettings"),
    ("home", "change_sitesettings"),
    ("search", "view_missedquery"),
    ("search", "delete_missedquery"),
]
GROUPS = ["Editors", "Moderators"]


def permission(apps, app_label, codename):
    """The permission, created now if Django has not yet (it does so after all migrations)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    action, model = codename.split("_", 1)
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    found, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} {model}"}
    )
    return found


def permissions(apps):
    names = [
        (app_label, f"{action}_{model}")
        for app_label, models in CONTENT.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    return [permission(apps, app_label, codename) for app_label, codename in [*names, *EXTRA]]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    perms = permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    perms = permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_municipality_in_places"),
        ("places", "0001_initial"),
        ("ambassadors", "0005_places"),
        ("stories", "0002_municipality_in_places"),
        ("search", "0002_text_search_configurations"),
        ("wagtailsearchpromotions", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
