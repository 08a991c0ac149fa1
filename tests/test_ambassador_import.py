"""Importing the existing ambassador network from CSV."""

import io

import pytest
from django.core.management import CommandError, call_command

from ambassadors.models import Ambassador

pytestmark = pytest.mark.django_db

CSV = """name,email,municipality,place,languages,moved_from,interests,text,consent_date
Astrid,astrid@example.org,are,Undersåker,"sv, en",Uppsala,"skidor, fiske",Jag visar gärna byn.,2025-03-01
Bertil,bertil@example.org,ostersund,,sv,,,Hej!,
,noname@example.org,berg,,sv,,,Text,2025-01-01
Cecilia,not-an-email,berg,,sv,,,Text,2025-01-01
David,david@example.org,stockholm,,sv,,,Text,2025-01-01
Eva,eva@example.org,krokom,,sv,,,Text,31/12/2024
Astrid igen,ASTRID@example.org,are,,sv,,,Dubblett,2025-03-01
"""


def run(tmp_path, content=CSV):
    path = tmp_path / "ambassadorer.csv"
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ambassadors", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_rows_are_imported_and_bad_rows_reported_by_number(tmp_path):
    before = Ambassador.objects.count()
    out, err = run(tmp_path)
    assert "2 created, 0 updated, 0 unchanged, 5 rows with errors." in out
    assert "row 4: name is missing" in err
    assert "row 5: 'not-an-email' is not an e-mail address" in err
    assert "row 6: unknown municipality 'stockholm'" in err
    assert "row 7: consent_date '31/12/2024' is not a date" in err
    assert "row 8: the e-mail astrid@example.org appears earlier in the file" in err
    assert Ambassador.objects.count() == before + 2
    astrid = Ambassador.objects.get(email="astrid@example.org")
    assert astrid.is_published and astrid.municipality.slug == "are" and astrid.language_codes == ["sv", "en"]
    bertil = Ambassador.objects.get(email="bertil@example.org")
    assert not bertil.is_published  # no consent date: imported, not shown


def test_running_the_import_twice_changes_nothing(tmp_path):
    run(tmp_path)
    count = Ambassador.objects.count()
    out, _err = run(tmp_path)
    assert "0 created, 0 updated, 2 unchanged" in out
    assert Ambassador.objects.count() == count


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ambassadors", str(tmp_path / "missing.csv"))
