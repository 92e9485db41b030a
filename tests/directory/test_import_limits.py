"""The national file's import refuses at the check what the database would refuse at the apply,
ends an import that fails while applying as failed (with its reason, to be checked again),
refuses an oversized upload before reading it; the place form refuses what the import refuses,
so that the export always imports again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.test import override_settings
from django.urls import reverse

from directory import national, services
from directory.models import DirectoryImport, Place
from directory.services import directory_import_apply, directory_import_check
from pasip.errors import NotAllowed
from tests.directory.test_national import csv_file, row
from tests.factories import StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(coordinator=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "values",
    [
        {"id": "x" * 201},
        {"horaires": "Mo-Fr 09:00-12:00; " * 30},
        {"fiche_acces_libre": "https://acceslibre.beta.gouv.fr/" + "a" * 480},
        {"nom": "x" * 201},
    ],
    ids=["id", "horaires", "fiche_acces_libre", "nom"],
)
def test_a_value_longer_than_its_field_is_rejected_at_the_check(values):
    file_plan = national.plan(csv_file([row(**values)]))
    [report] = file_plan.rows
    assert report.action == national.REJECT
    assert any("dépasse" in error for error in report.errors), report.errors


def test_the_column_limits_are_the_database_s(coordinator):
    for column, limit in national.MAX_LENGTHS.items():
        name = {v: k for k, v in national.FIELDS.items()}.get(column, "external_id")
        assert Place._meta.get_field(name).max_length == limit


def upload_and_check(client, content):
    client.post(reverse("directory_imports"), {"file": SimpleUploadedFile("lieux.csv", content)})
    created = DirectoryImport.objects.latest("pk")
    directory_import_check(import_id=created.pk)
    created.refresh_from_db()
    return created


def test_an_import_failing_while_applying_ends_failed_then_can_be_checked_again(
    client, coordinator, monkeypatch
):
    created = upload_and_check(client, csv_file([row()]))
    assert created.can_apply
    client.post(reverse("directory_import_apply", args=[created.pk]))

    def refused(file_plan):
        raise DataError("value too long for type character varying(200)")

    with monkeypatch.context() as patched:
        patched.setattr(national, "plan_apply", refused)
        directory_import_apply(import_id=created.pk)
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.FAILED
    assert created.file_errors and "DataError" in created.file_errors[0]
    assert "rien n'a été modifié" in created.file_errors[0]
    assert Place.objects.count() == 0
    page = client.get(reverse("directory_import", args=[created.pk])).content.decode()
    assert "Refusé" in page and "Vérifier le fichier de nouveau" in page

    client.post(reverse("directory_import_recheck", args=[created.pk]))
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.CHECKING
    directory_import_check(import_id=created.pk)
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.CHECKED and created.can_apply
    client.post(reverse("directory_import_apply", args=[created.pk]))
    directory_import_apply(import_id=created.pk)
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.APPLIED
    assert Place.objects.count() == 1


def test_only_a_failed_import_is_checked_again(client, coordinator):
    created = upload_and_check(client, csv_file([row()]))
    response = client.post(reverse("directory_import_recheck", args=[created.pk]), follow=True)
    assert "Seul un import refusé" in response.content.decode()
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.CHECKED
    advisor_user = UserFactory(advisor=True)
    with pytest.raises(NotAllowed):
        services.directory_import_recheck(user=advisor_user, upload=created)


@override_settings(PASIP_UPLOAD_MAX_BYTES=1_000_000)
def test_an_oversized_upload_is_refused_in_french(client, coordinator):
    content = csv_file([row(id=f"lieu-{n}", source="x" * 1000) for n in range(1200)])
    assert len(content) > 1_000_000
    response = client.post(
        reverse("directory_imports"), {"file": SimpleUploadedFile("lieux.csv", content)}
    )
    assert response.status_code == 413
    assert "Fichier trop volumineux : 1 Mo au plus." in response.content.decode()
    assert DirectoryImport.objects.count() == 0


@override_settings(PASIP_UPLOAD_MAX_BYTES=1_000_000)
def test_an_oversized_upload_is_refused_before_its_body_is_read(client, coordinator):
    # The body announces 30 MB but holds a few bytes: reading it would fail the test client.
    response = client.post(
        reverse("directory_imports"),
        {"file": SimpleUploadedFile("lieux.csv", b"id;nom\n")},
        CONTENT_LENGTH="30000000",
    )
    assert response.status_code == 413


def place_data(**overrides):
    return {
        "structure": StructureFactory(mediation=True).pk,
        "name": "Médiathèque de Gramat",
        "address": "1 place de la République",
        "postal_code": "46500",
        "commune": "46128",
        "latitude": "44.78",
        "longitude": "1.72",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postal_code": "4650"}, "postal_code", "5 chiffres"),
        ({"postal_code": "4650A"}, "postal_code", "5 chiffres"),
        ({"latitude": "0", "longitude": "0"}, "latitude", "hors de France"),
        ({"latitude": "48.85", "longitude": "12.5"}, "latitude", "hors de France"),
    ],
)
def test_the_place_form_refuses_what_the_import_refuses(
    client, coordinator, overrides, field, message
):
    response = client.post(reverse("directory_place_new"), place_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Place.objects.count() == 0


def test_places_entered_in_the_form_export_to_a_file_that_imports_again(client, coordinator):
    for number, commune in enumerate(["46128", "46042", "46102"]):
        data = place_data(name=f"Lieu {number}", commune=commune, latitude="", longitude="")
        assert client.post(reverse("directory_place_new"), data).status_code == 302
    exported = client.get(reverse("directory_export_csv")).content
    file_plan = national.plan(exported)
    assert file_plan.file_errors == []
    assert {report.action for report in file_plan.rows} == {national.UNCHANGED}
