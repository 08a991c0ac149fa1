"""Registration history labels carried the person's name or e-mail; they
outlive the registration and were visible to every adviser (issue 13).
Relabel every existing entry as "<kind> #<id>" (or "Registration #<id>" when
the registration is gone)."""

from django.db import migrations

# Swedish, the default language, as the labels were written.
KINDS = {"guidance": "Flyttvägledning", "magazine": "Beställning av magasinet", "newsletter": "Prenumeration på nyhetsbrev"}


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    Registration = apps.get_model("intake", "Registration")
    content_type = ContentType.objects.filter(app_label="intake", model="registration").first()
    if content_type is None:
        return
    kinds = dict(Registration.objects.values_list("pk", "kind"))
    entries = ModelLogEntry.objects.filter(content_type=content_type).only("pk", "object_id", "label")
    for entry in entries.iterator():
        try:
            kind = kinds.get(int(entry.object_id))
        except ValueError:
            kind = None
        label = f"{KINDS.get(kind, 'Registrering')} #{entry.object_id}"
        if entry.label != label:
            ModelLogEntry.objects.filter(pk=entry.pk).update(label=label)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_reliability"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
