"""The national schema's own rules: a SIREN-only pivot, and phone numbers read as the schema
and as people write them, stored as the project stores them, exported as the schema writes
them (international format, "+33565386400")."""

import pytest
from django.urls import reverse

from directory import national, services
from directory.models import Place, Structure
from tests.directory.test_import_limits import place_data
from tests.directory.test_national import csv_file, row
from tests.factories import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def check(content):
    """The import's check, as the worker runs it: the stored report."""
    user = UserFactory(coordinator=True)
    upload = services.directory_import_create(user=user, filename="lieux.csv", content=content)
    return services.directory_import_check(import_id=upload.pk)


def check_and_apply(content):
    upload = check(content)
    services.directory_import_apply_request(user=upload.uploaded_by, upload=upload)
    return services.directory_import_apply(import_id=upload.pk)


def rejected(upload):
    return {
        (report["line"], report["id"]): report["errors"]
        for report in upload.report
        if report["action"] == "reject"
    }


# --- pivot --------------------------------------------------------------------------------------


def test_a_siren_only_pivot_is_accepted_and_keys_the_structure():
    upload = check_and_apply(
        csv_file([row(pivot="214600421"), row(id="lieu-2", pivot="214600421")])
    )

    assert upload.status == "applied", upload.report
    assert Structure.objects.filter(pivot="214600421").count() == 1
    assert {p.structure.pivot for p in Place.objects.all()} == {"214600421"}
    assert national.place_row(Place.objects.get(external_id="lieu-1"))["pivot"] == "214600421"


@pytest.mark.parametrize(
    "pivot", ["21460042", "2146004210", "21460042100013X", "W46100012", "SIREN"]
)
def test_a_malformed_pivot_is_refused_naming_the_row_and_the_column(pivot):
    upload = check(csv_file([row(id="bon"), row(id="mauvais", pivot=pivot)]))

    assert upload.status == "checked" and not upload.can_apply
    assert rejected(upload) == {
        (3, "mauvais"): [
            f"pivot « {pivot} » : ni SIRET (14 chiffres), ni SIREN (9 chiffres), "
            "ni RNA (W + 9 chiffres)."
        ]
    }


# --- telephone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+33565386400", "05 65 38 64 00"),  # as the schema writes it
        ("05 65 38 64 00", "05 65 38 64 00"),
        ("0565386400", "05 65 38 64 00"),
        ("05.65.38.64.00", "05 65 38 64 00"),
        ("05-65-38-64-00", "05 65 38 64 00"),
        ("+33 5 65 38 64 00", "05 65 38 64 00"),
        ("+33 (0)5 65 38 64 00", "05 65 38 64 00"),
        ("0033 5 65 38 64 00", "05 65 38 64 00"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("+590590830000", "05 90 83 00 00"),  # Guadeloupe, its own country code
        ("+262 692 12 34 56", "06 92 12 34 56"),  # a mobile of La Réunion
        ("+687123456", "+687123456"),  # Nouvelle-Calédonie: outside the French ten digits
    ],
)
def test_a_phone_number_is_read_as_written_and_stored_as_the_project_stores_it(written, stored):
    upload = check_and_apply(csv_file([row(telephone=written)]))

    assert upload.status == "applied", upload.report
    assert Place.objects.get().phone == stored


@pytest.mark.parametrize(
    "written",
    [
        "05 65 38 64",  # too short
        "05 65 38 64 00 00",  # too long
        "00 65 38 64 00",  # no French number starts with 00
        "+44 20 7946 0000",  # a country code the schema does not admit
        "+33 05 65 38 64 00",  # the 0 after the country code, kept
        "Mairie : 05 65 38 64 00",
        "standard",
    ],
)
def test_a_text_that_is_not_a_phone_number_is_refused_in_french(written):
    upload = check(csv_file([row(id="bon"), row(id="mauvais", telephone=written)]))

    assert not upload.can_apply
    assert rejected(upload) == {
        (3, "mauvais"): [
            f"telephone « {written} » n'est pas un numéro de téléphone : attendu au format "
            "international, par exemple +33565386400, ou français, 05 65 38 64 00."
        ]
    }
    assert Place.objects.count() == 0


def test_the_same_number_written_otherwise_changes_nothing():
    check_and_apply(csv_file([row(telephone="05 65 38 64 00")]))

    upload = check(csv_file([row(telephone="+33565386400")]))

    assert upload.counts["unchanged"] == 1, upload.report


@pytest.mark.parametrize(
    ("stored", "exported"),
    [
        ("05 65 38 64 00", "+33565386400"),
        ("0565386400", "+33565386400"),  # stored before numbers were read
        ("05 90 83 00 00", "+590590830000"),
        ("06 39 12 34 56", "+262639123456"),  # a mobile of Mayotte
        ("05 94 29 00 00", "+594594290000"),
        ("05 96 55 00 00", "+596596550000"),
        ("+687123456", "+687123456"),
        ("", ""),
    ],
)
def test_the_export_writes_phone_numbers_in_the_schema_s_format(stored, exported):
    place = PlaceFactory(phone=stored)

    written = national.place_row(place)["telephone"]

    assert written == exported
    assert not written or national.SCHEMA_PHONE_RE.match(written)


@pytest.mark.parametrize("export", [national.export_csv, national.export_json])
def test_an_export_with_siren_pivots_and_phones_of_every_kind_reimports_unchanged(export):
    check_and_apply(
        csv_file(
            [
                row(id="lieu-1", pivot="214600421", telephone="+33565386400"),
                row(id="lieu-2", telephone="0565 38 64 01"),
                row(id="lieu-3", telephone="+590 590 83 00 00"),
                row(id="lieu-4", telephone="+687123456"),
                row(id="lieu-5", telephone=""),
            ]
        )
    )
    PlaceFactory(name="Salle des fêtes", phone="05 65 33 22 11")
    before = [national.place_row(p) for p in national.places_for_export()]

    exported = export(national.places_for_export())

    assert [r["telephone"] for r in before] == [
        "+33565386400",
        "+33565386401",
        "+590590830000",
        "+687123456",
        "",
        "+33565332211",
    ]
    assert check(exported.encode()).counts["unchanged"] == 6
    Place.objects.all().delete()
    assert check_and_apply(exported.encode()).status == "applied"
    after = [national.place_row(p) for p in national.places_for_export()]
    assert [r["telephone"] for r in after] == [r["telephone"] for r in before]
    assert [r["pivot"] for r in after][0] == "214600421"


# --- the place form -----------------------------------------------------------------------------


def test_the_place_form_stores_a_phone_number_as_the_import_does_and_refuses_what_it_refuses(
    client,
):
    client.force_login(UserFactory(coordinator=True))

    response = client.post(reverse("directory_place_new"), place_data(phone="+33 5 65 38 64 00"))
    assert response.status_code == 302
    assert Place.objects.get().phone == "05 65 38 64 00"

    response = client.post(reverse("directory_place_new"), place_data(phone="le standard"))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Ce n'est pas un numéro de téléphone : par exemple 05 65 38 64 00."
    ]
    assert Place.objects.count() == 1
