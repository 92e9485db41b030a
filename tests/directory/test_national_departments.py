"""The national file as downloaded holds every département: the import keeps the territory's
rows (the Lot's), counts and ignores the others without rejecting them, and refuses a file
with no row of the territory."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from directory import national, services
from directory.models import DirectoryImport, Place
from tests.directory.test_national import csv_file, row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "data" / "lieux-mediation-numerique-national.csv"
LOT_IDS = ["mednum-46-0001", "mednum-46-0002", "mednum-46-0003", "mednum-46-0004"]
OTHERS = {"12": 2, "19": 1, "2A": 1, "31": 2, "75": 1, "971": 1}
NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture
def coordinator(client):
    user = UserFactory(coordinator=True)
    client.force_login(user)
    return user


def without_the_lot():
    """The fixture's bytes, less the rows of the Lot (a file of other départements only)."""
    lines = FIXTURE.read_bytes().split(b"\r\n")
    return b"\r\n".join(line for line in lines if not line.startswith(b"mednum-46-"))


def upload_and_check(client, content, name="lieux-mediation-numerique.csv"):
    client.post(reverse("directory_imports"), {"file": SimpleUploadedFile(name, content)})
    upload = DirectoryImport.objects.latest("pk")
    services.directory_import_check(import_id=upload.pk)
    upload.refresh_from_db()
    return upload


def test_the_fixture_has_the_national_file_s_columns_and_several_departements():
    header = FIXTURE.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(";") == national.COLUMNS
    departments = {
        line.split(";")[0].split("-")[1] for line in FIXTURE.read_text().splitlines()[1:]
    }
    assert departments == {"46", *OTHERS}


def test_the_lot_s_rows_are_kept_and_the_others_counted_not_rejected():
    file_plan = national.plan(FIXTURE.read_bytes())

    assert [(r.id, r.action) for r in file_plan.rows] == [(i, "create") for i in LOT_IDS]
    assert file_plan.counts["reject"] == 0 and file_plan.file_errors == []
    assert file_plan.ignored == 8 and file_plan.ignored_by_department == OTHERS
    assert file_plan.can_apply
    assert national.plan_apply(file_plan) == (4, 0)
    assert sorted(Place.objects.values_list("external_id", flat=True)) == LOT_IDS
    # Found by its postal code and name, without an INSEE code, as before.
    assert Place.objects.get(external_id="mednum-46-0002").commune.name == "Gramat"
    assert national.plan(FIXTURE.read_bytes()).counts["unchanged"] == 4


def test_a_row_of_the_lot_with_an_unknown_commune_is_still_rejected():
    file_plan = national.plan(
        csv_file(
            [row(), row(id="lieu-2", code_insee="46999"), row(id="lieu-3", code_insee="12202")]
        )
    )
    assert [(r.id, r.action) for r in file_plan.rows] == [
        ("lieu-1", "create"),
        ("lieu-2", "reject"),
    ]
    assert file_plan.rows[1].errors == ["code INSEE « 46999 » : commune inconnue du territoire."]
    assert file_plan.ignored_by_department == {"12": 1}


def test_the_check_report_says_how_many_rows_of_other_departements_were_ignored(
    client, coordinator
):
    upload = upload_and_check(client, FIXTURE.read_bytes())

    assert upload.status == DirectoryImport.Status.CHECKED and upload.can_apply
    assert upload.counts["create"] == 4 and upload.counts["reject"] == 0
    assert upload.counts["ignored"] == 8 and upload.counts["ignored_by_department"] == OTHERS
    assert [r["id"] for r in upload.report] == LOT_IDS
    page = client.get(reverse("directory_import", args=[upload.pk])).content.decode()
    assert "8 lignes d&#x27;autres départements ignorées" in page
    assert "0 rejetées" in page and "rejetée<" not in page
    assert "Rodez" not in page and "mednum-31" not in page  # not listed as errors

    services.directory_import_apply_request(user=coordinator, upload=upload)
    services.directory_import_apply(import_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == DirectoryImport.Status.APPLIED
    assert sorted(Place.objects.values_list("external_id", flat=True)) == LOT_IDS


def test_a_file_with_no_row_of_the_territory_is_refused_in_french(client, coordinator, tmp_path):
    content = without_the_lot()
    refusal = (
        "Aucune ligne du fichier ne concerne le territoire, Lot (46) : ses 8 lignes sont "
        "d'autres départements. Rien ne peut être importé ; vérifiez que c'est le bon fichier."
    )

    file_plan = national.plan(content)
    assert file_plan.file_errors == [refusal] and not file_plan.can_apply

    upload = upload_and_check(client, content)
    assert upload.file_errors == [refusal] and not upload.can_apply
    page = client.get(reverse("directory_import", args=[upload.pk])).content.decode()
    assert "Aucune ligne du fichier ne concerne le territoire" in page
    assert "Appliquer le fichier" not in page

    path = tmp_path / "lieux.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Aucune ligne du fichier"):
        call_command("import_places", str(path), "--apply", stdout=StringIO())
    assert Place.objects.count() == 0


def test_the_command_says_how_many_rows_were_ignored(tmp_path):
    out = StringIO()
    call_command("import_places", str(FIXTURE), "--apply", stdout=out)
    assert "8 lignes d'autres départements ignorées." in out.getvalue()
    assert Place.objects.count() == 4


def test_the_count_is_written_the_french_way():
    assert national.ignored_message(1204) == f"1{NBSP}204 lignes d'autres départements ignorées"
    assert national.ignored_message(1) == "1 ligne d'un autre département ignorée"
    assert national.ignored_message(0) == ""
