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


SWEDISH_EXCEL = (
    "name;email;municipality;place;languages;moved_from;interests;text;consent_date\r\n"
    "Åsa;asa@example.org;Åre;Järpen;sv;Göteborg;fjällen;Välkommen till Järpen!;2025-05-01\r\n"
    "Örjan;orjan@example.org;Östersunds kommun;;sv;;;Hej från stan.;\r\n"
    "Fel;fel@example.org;Stockholm;;sv;;;Text;2025-01-01\r\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_a_semicolon_file_as_swedish_excel_saves_it_is_read(encoding):
    from ambassadors import importing

    rows = importing.plan(importing.read_table(SWEDISH_EXCEL.encode(encoding), "ambassadorer.csv"))
    assert [(row.number, row.values["name"], row.is_valid) for row in rows] == [
        (2, "Åsa", True),
        (3, "Örjan", True),
        (4, "Fel", False),
    ]
    assert rows[0].values["municipality"].slug == "are" and rows[1].values["municipality"].slug == "ostersund"
    assert "Stockholm" in rows[2].problems[0]


def test_an_xlsx_workbook_is_read(tmp_path):
    import openpyxl

    from ambassadors import importing

    book = openpyxl.Workbook()
    for line in SWEDISH_EXCEL.strip().split("\r\n"):
        book.active.append(line.split(";"))
    path = tmp_path / "ambassadorer.xlsx"
    book.save(path)
    rows = importing.plan(importing.read_table(path.read_bytes(), path.name))
    assert [row.is_valid for row in rows] == [True, True, False]


def test_a_profile_an_editor_unpublished_stays_unpublished(tmp_path):
    run(tmp_path)
    Ambassador.objects.filter(email="astrid@example.org").update(is_published=False)
    out, _err = run(tmp_path)
    assert not Ambassador.objects.get(email="astrid@example.org").is_published
    assert "0 updated, 2 unchanged" in out


def test_a_coordinator_previews_and_imports_in_the_admin(client, django_user_model):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = django_user_model.objects.create_user("coordinator", "c@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Ambassadörssamordnare"))
    client.force_login(user)
    before = Ambassador.objects.count()
    upload = SimpleUploadedFile("ambassadorer.csv", SWEDISH_EXCEL.encode("cp1252"), content_type="text/csv")
    preview = client.post("/admin/ambassadors/import/", {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200 and "Åsa" in body and "Örjan" in body
    assert "okänd kommun" in body.lower() and "Stockholm" in body
    assert Ambassador.objects.count() == before  # nothing until confirmed
    import re

    token = re.search(r'name="upload" value="([^"]+)"', body).group(1)
    done = client.post("/admin/ambassadors/import/", {"upload": token, "confirm": "1"})
    assert done.status_code == 302
    assert Ambassador.objects.count() == before + 2
    assert Ambassador.objects.get(email="asa@example.org").is_published
    assert not Ambassador.objects.filter(email="fel@example.org").exists()


def test_a_forged_upload_token_imports_nothing(client, admin_client):
    before = Ambassador.objects.count()
    response = admin_client.post("/admin/ambassadors/import/", {"upload": "forged", "confirm": "1"})
    assert response.status_code == 302 and Ambassador.objects.count() == before


def test_people_without_the_permission_cannot_import(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("adviser", "a@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    client.force_login(user)
    assert client.get("/admin/ambassadors/import/").status_code in (302, 403)
