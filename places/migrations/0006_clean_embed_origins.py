"""Allowed websites saved before origins were normalised (issue 22): invisible
characters out, lower case, international names in punycode; a line that
is still no plain origin is dropped. Written out here rather than imported,
so that this history does not move when places.models does."""

import re
import unicodedata

from django.db import migrations

PLAIN_ORIGIN = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


def visible(character):
    category = unicodedata.category(character)
    return not (category in ("Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp") or (category == "Zs" and character != " "))


def clean(line):
    import idna

    origin = "".join(character for character in line if visible(character)).strip().rstrip("/")
    scheme, separator, host = origin.partition("://")
    if not separator:
        return None
    name, colon, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if not colon:
        name = host
    try:
        name = name.lower() if name.isascii() else idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None
    origin = f"{scheme.lower()}://{name}" + (f":{port}" if colon else "")
    return origin if PLAIN_ORIGIN.fullmatch(origin) else None


def forwards(apps, schema_editor):
    Municipality = apps.get_model("places", "Municipality")
    for municipality in Municipality.objects.exclude(embed_origins=""):
        origins = []
        for line in municipality.embed_origins.splitlines():
            origin = clean(line)
            if origin and origin not in origins:
                origins.append(origin)
        cleaned = "\n".join(origins)
        if cleaned != municipality.embed_origins:
            Municipality.objects.filter(pk=municipality.pk).update(embed_origins=cleaned)


class Migration(migrations.Migration):
    dependencies = [("places", "0005_adviser_photo")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
