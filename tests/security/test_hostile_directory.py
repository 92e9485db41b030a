"""Hostile input: the directory entry forms and the national import and export.

The shared values and checks are in tests/security/hostile.py.
"""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import national
from directory.enums import Service
from directory.models import Advisor, DirectoryImport, Place
from directory.services import directory_import_check
from tests.directory.test_national import csv_file, row
from tests.factories import (
    AdvisorFactory,
    StructureFactory,
    UserFactory,
    commune,
)
from tests.security.hostile import (
    ATTRIBUTE,
    LONG,
    MARKUP,
    SCRIPT,
    SQL,
    TEXTS,
    assert_escaped,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


# --- Directory: entry forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity": "-5"},
        {"capacity": "9" * 30},
        {"capacity": SCRIPT},
        {"themes": [SCRIPT]},
        {"languages": [SQL]},
        {"home_visit_communes": ["abc"]},
        {"home_visit_communes": ["9" * 30]},
        {"places": [SQL]},
    ],
    ids=lambda overrides: json.dumps(overrides)[:30],
)
def test_advisor_entry_refuses_junk(client, overrides):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    before = Advisor.objects.filter(pk=advisor.pk).values().get()
    data = {
        "themes": [Service.ADMIN_PROCEDURES.value],
        "support_formats": ["Accompagnement individuel"],
        "languages": ["fr"],
        "places": [advisor.places.get().pk],
        "capacity": "10",
    }
    data.update(overrides)
    response = client.post(reverse("directory_advisor", args=[advisor.pk]), data)
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Advisor.objects.filter(pk=advisor.pk).values().get() == before
    assert_escaped(response.content.decode(), SCRIPT)


def place_data(**overrides):
    data = {
        "structure": StructureFactory(mediation=True).pk,
        "name": "Médiathèque de Gramat",
        "address": "1 place de la République",
        "postal_code": "46500",
        "commune": "46128",
        "latitude": "44.78",
        "longitude": "1.72",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", list(TEXTS))
def test_place_form_refuses_or_escapes(client, kind):
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    value = TEXTS[kind]
    before = Place.objects.count()
    response = client.post(reverse("directory_place_new"), place_data(name=value, address=value))
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert set(errors) <= {"name", "address"} and errors, errors
        for error in [e for field_errors in errors.values() for e in field_errors]:
            french(error)
        assert Place.objects.count() == before
        assert_escaped(response.content.decode(), value)
    else:
        assert response.status_code == 302 and kind in MARKUP
        assert Place.objects.filter(name=value).exists()
    for url in (reverse("directory_places"), reverse("directory_home")):
        assert_escaped(client.get(url).content.decode(), value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": "nan", "longitude": "inf"},
        {"latitude": "1e400", "longitude": "1"},
        {"latitude": "-91", "longitude": "1"},
        {"latitude": SQL},
        {"commune": "9" * 30},
        {"accessibility_url": "javascript:alert(1)"},
        {"postal_code": LONG},
    ],
    ids=lambda overrides: json.dumps(overrides)[:30],
)
def test_place_form_refuses_junk(client, overrides):
    client.force_login(UserFactory(coordinator=True))
    before = Place.objects.count()
    response = client.post(reverse("directory_place_new"), place_data(**overrides))
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Place.objects.count() == before


# --- Directory: national import and export -----------------------------------------------------


def upload(client, content, name="lieux.csv"):
    """Uploads a file as the coordinator, runs the check the worker runs, returns the import."""
    before = Place.objects.count()
    file = SimpleUploadedFile(name, content)
    response = client.post(reverse("directory_imports"), {"file": file})
    assert response.status_code == 302
    created = DirectoryImport.objects.latest("pk")
    directory_import_check(import_id=created.pk)
    created.refresh_from_db()
    assert Place.objects.count() == before  # the check writes no place
    page = client.get(reverse("directory_import", args=[created.pk]))
    assert page.status_code == 200
    created.page = page.content.decode()
    return created


@pytest.fixture
def coordinator(client):
    user = UserFactory(coordinator=True)
    client.force_login(user)
    return user


def assert_file_refused(created, expected):
    assert created.status == DirectoryImport.Status.CHECKED
    assert not created.can_apply
    assert created.file_errors
    for error in created.file_errors:
        french(error)
    assert expected in " ".join(created.file_errors)
    assert expected.split(" ")[0] in created.page


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_file([row(nom="Médiathèque")], bom=False).decode().encode("latin-1"), "UTF-8"),
        (csv_file([row()], bom=False).decode().encode("utf-16"), "UTF-8"),
        (bytes(range(256)) * 64, "UTF-8"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "UTF-8"),
        (b"\x00" * 2000, "Colonnes"),
        (b"\xef\xbb\xbf", "vide"),
        (b'{"lieux": "pas une liste"}', "JSON"),
        (b"[1, 2, 3]", "JSON"),
        (b"[" * 100_000, "JSON"),
        (b'[{"id": "x"', "JSON"),
        (b"id;nom\n1;" + b"x" * 200_000 + b"\n", "Colonnes"),
        (csv_file([row(nom="x" * 200_000)]), "trop long"),
    ],
    ids=[
        "latin-1",
        "utf-16",
        "binary",
        "png",
        "nul-bytes",
        "bom-only",
        "json-not-list",
        "json-not-objects",
        "json-deep",
        "json-truncated",
        "csv-huge-cell-missing-columns",
        "csv-huge-cell",
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(client, coordinator, content, expected):
    created = upload(client, content)
    assert_file_refused(created, expected)


def test_an_empty_file_is_refused_at_once(client, coordinator):
    empty = SimpleUploadedFile("lieux.csv", b"")
    response = client.post(reverse("directory_imports"), {"file": empty})
    assert response.status_code == 200
    assert [french(error) for error in page_errors(response)]
    assert DirectoryImport.objects.count() == 0


def test_a_bom_and_utf8_text_are_read(client, coordinator):
    created = upload(client, csv_file([row(nom="Espace numérique — Zoé 👩🏽‍💻")], bom=True))
    assert created.can_apply and created.counts["create"] == 1


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"nom": "Mairie\x00"}, "contrôle"),
        ({"adresse": "1 rue\x1b[2J"}, "contrôle"),
        ({"nom": "x" * 10_000}, "dépasse"),
        ({"latitude": "nan", "longitude": "inf"}, "coordonnées"),
        ({"latitude": "1e400", "longitude": "1"}, "coordonnées"),
        ({"code_postal": SQL}, "code postal"),
        ({"courriels": SCRIPT}, "courriel"),
        ({"fiche_acces_libre": "javascript:alert(1)"}, "adresse web"),
        ({"date_maj": "2026-02-31"}, "date_maj"),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_a_bad_row_is_rejected_with_its_reason(client, coordinator, values, reason):
    created = upload(client, csv_file([row(), row(id="lieu-2", **values)]))
    assert not created.can_apply
    [rejected] = [r for r in created.report if r["action"] == national.REJECT]
    assert any(reason in french(error) for error in rejected["errors"]), rejected["errors"]
    assert "\x00" not in created.page and "\x1b" not in created.page


def test_markup_in_an_imported_file_is_shown_escaped(client, coordinator):
    created = upload(
        client, csv_file([row(nom=SCRIPT), row(id=ATTRIBUTE, nom=ATTRIBUTE, code_insee="99999")])
    )
    assert created.counts["create"] == 1
    assert_escaped(created.page, SCRIPT)
    assert_escaped(created.page, ATTRIBUTE)
    assert_escaped(
        client.get(reverse("directory_import", args=[created.pk]) + "?tout=1").content.decode(),
        SCRIPT,
    )


def test_a_json_file_with_wrong_types_is_reported_row_by_row(client, coordinator):
    rows = [
        row(),
        {**row(id="lieu-2"), "nom": {"nested": SCRIPT}, "latitude": [1, 2]},
        {**row(id="lieu-3"), "services": 42, "date_maj": None},
    ]
    created = upload(client, json.dumps(rows).encode(), name="lieux.json")
    assert created.counts["create"] == 1 and created.counts["reject"] == 2
    assert not created.can_apply
    assert_escaped(created.page, SCRIPT)


def test_a_10_mb_file_is_checked_with_a_clear_report(client, coordinator):
    filler = "Bibliothèque " * 1000  # 13 kB of text in an extra column, per row
    rows = [row(id=f"lieu-{n}", source=filler) for n in range(800)]
    content = csv_file(rows)
    assert len(content) > 10_000_000
    created = upload(client, content)
    assert created.file_errors == []
    assert created.counts["create"] == 800 and created.can_apply


def test_a_file_of_bad_rows_is_checked_and_nothing_is_stored(client, coordinator):
    # 50,000 rows take about a minute on SQLite; 2,000 show the same thing in seconds.
    rows = [row(id=f"lieu-{n}", code_postal="4650", code_insee="") for n in range(1_999)]
    created = upload(client, csv_file([row(), *rows]))
    assert created.counts["reject"] == 1_999 and not created.can_apply
    assert Place.objects.count() == 0
    refused = client.post(reverse("directory_import_apply", args=[created.pk]), follow=True)
    for error in page_errors(refused):
        french(error)
    assert Place.objects.count() == 0


FORMULAS = [
    "=cmd|' /C calc'!A0",
    '+HYPERLINK("http://evil.invalid","clic")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_csv_export_neutralises_formula_cells(client, coordinator, formula):
    place = Place.objects.create(
        structure=AdvisorFactory().structure,
        name=formula,
        address=formula,
        commune=commune("46128"),
        latitude=44.78,
        longitude=1.72,
        phone="+33 5 65 38 64 00",
    )
    content = client.get(reverse("directory_export_csv")).content.decode("utf-8-sig")
    cells = csv.DictReader(io.StringIO(content, newline=""), delimiter=";")
    exported = next(r for r in cells if r["id"] == f"pasip-{place.pk}")
    for column in ("nom", "adresse"):
        assert exported[column] == "'" + formula  # shown as text by a spreadsheet
    assert exported["telephone"] == "+33565386400"  # a phone number is not a formula
    assert exported["longitude"] == "1.72"

    # Read back, the neutralised cell is the original text.
    [(_, record)] = [r for r in national.records_read(content) if r[1]["id"] == exported["id"]]
    assert record["nom"] == formula


def test_formula_cells_in_an_imported_file_are_kept_as_text(client, coordinator):
    created = upload(client, csv_file([row(nom=FORMULAS[0])]))
    assert created.can_apply
    assert FORMULAS[0].replace("'", "&#x27;") in created.page or FORMULAS[0] in created.page
