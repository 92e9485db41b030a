"""Import and export of the national file of places of digital mediation."""

import csv
import io
import json
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from directory import national
from directory.enums import Service
from directory.models import Place, Structure
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

HEADER = national.COLUMNS


def row(**values):
    base = {
        "id": "lieu-1",
        "pivot": "21460128600011",
        "nom": "France Services de Gramat",
        "commune": "Gramat",
        "code_postal": "46500",
        "code_insee": "46128",
        "adresse": "18 avenue de la Gare",
        "latitude": "44.7806",
        "longitude": "1.7258",
        "typologie": "RFS",
        "telephone": "05 65 38 64 00",
        "courriels": "contact@gramat.invalid",
        "services": "|".join([Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS]),
        "prise_en_charge_specifique": "Handicaps moteurs",
        "modalites_accompagnement": "Accompagnement individuel|Dans un atelier collectif",
        "frais_a_charge": "Gratuit",
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
        "dispositif_programmes_nationaux": "France Services|Conseillers numériques",
        "date_maj": "2026-10-01",
        "source": "Lot Numérique",
    }
    base.update(values)
    return base


def csv_file(rows, *, delimiter=";", bom=True, columns=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def actions(file_plan):
    return [(r.id, r.action) for r in file_plan.rows]


def test_a_clean_file_is_created_then_reimporting_it_changes_nothing():
    content = csv_file([row(), row(id="lieu-2", nom="Mairie de Gramat", code_insee="", pivot="")])

    first = national.plan(content)
    assert first.file_errors == [] and actions(first) == [
        ("lieu-1", "create"),
        ("lieu-2", "reject"),
    ]
    assert first.rows[1].errors == ["« pivot » est vide."]

    content = csv_file(
        [row(), row(id="lieu-2", nom="Mairie de Gramat", code_insee="", pivot="00000000000000")]
    )
    file_plan = national.plan(content)
    assert actions(file_plan) == [("lieu-1", "create"), ("lieu-2", "create")]
    assert Place.objects.count() == 0  # planning writes nothing
    assert national.plan_apply(file_plan) == (2, 0)

    place = Place.objects.get(external_id="lieu-1")
    assert place.commune.insee == "46128" and place.is_accessible
    assert place.structure.pivot == "21460128600011"
    assert place.standard_extra["frais_a_charge"] == ["Gratuit"]
    assert place.updated_at.date().isoformat() == "2026-10-01"
    # Found by postal code and name when the INSEE code is missing.
    assert Place.objects.get(external_id="lieu-2").commune.insee == "46128"
    again = national.plan(content)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
    assert Structure.objects.count() == 2


def test_comma_separators_no_bom_and_json_are_read_alike():
    by_comma = national.plan(csv_file([row()], delimiter=",", bom=False))
    as_json = national.plan(json.dumps([{**row(), "services": row()["services"].split("|")}]))
    assert actions(by_comma) == actions(as_json) == [("lieu-1", "create")]
    national.plan_apply(by_comma)
    assert actions(national.plan(json.dumps([row()]))) == [("lieu-1", "unchanged")]


def test_an_update_reports_the_fields_that_change():
    national.plan_apply(national.plan(csv_file([row()])))

    file_plan = national.plan(csv_file([row(nom="France Services du Causse", horaires="")]))

    assert file_plan.rows[0].action == "update"
    assert file_plan.rows[0].changes == ["name", "opening_hours"]
    national.plan_apply(file_plan)
    assert Place.objects.get().name == "France Services du Causse"


def test_missing_columns_reject_the_whole_file():
    columns = [c for c in HEADER if c not in ("adresse", "date_maj")]
    file_plan = national.plan(csv_file([row()], columns=columns))
    assert file_plan.file_errors == ["Colonnes obligatoires manquantes : adresse, date_maj"]
    assert not file_plan.can_apply


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"code_insee": "4612"}, "code INSEE « 4612 » invalide."),
        ({"code_insee": "46999"}, "code INSEE « 46999 » : commune inconnue du territoire."),
        ({"latitude": "40.1", "longitude": "-3.7"}, "coordonnées (40.1, -3.7) hors de France."),
        ({"latitude": "44,7806", "longitude": "abc"}, "doivent être deux nombres"),
        (
            {"services": "Aide aux démarches administratives|Cuisine"},
            "« Cuisine » n'est pas une valeur connue de services.",
        ),
        (
            {"modalites_accompagnement": "Par pigeon"},
            "« Par pigeon » n'est pas une valeur connue de modalites_accompagnement.",
        ),
        ({"horaires": "Lundi matin"}, "« Lundi matin » n'est pas une règle d'horaires valide."),
        ({"pivot": "123"}, "pivot « 123 » : ni SIRET"),
        ({"date_maj": "01/10/2026"}, "date_maj « 01/10/2026 » n'est pas une date ISO."),
        ({"courriels": "pas-un-courriel"}, "courriel « pas-un-courriel » invalide."),
        ({"code_postal": "4650"}, "code postal « 4650 » invalide."),
    ],
)
def test_a_bad_row_is_rejected_with_its_reason_and_nothing_is_applied(values, message, tmp_path):
    content = csv_file([row(id="bon"), row(id="mauvais", **values)])
    path = tmp_path / "lieux.csv"
    path.write_bytes(content)

    file_plan = national.plan(content)

    assert actions(file_plan) == [("bon", "create"), ("mauvais", "reject")]
    assert any(message in error for error in file_plan.rows[1].errors), file_plan.rows[1].errors
    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_places", str(path), "--apply", stdout=StringIO())
    assert Place.objects.count() == 0


def test_duplicate_ids_are_rejected_and_point_at_the_first_line():
    file_plan = national.plan(csv_file([row(), row(nom="Autre"), row(id="lieu-3")]))
    assert actions(file_plan) == [("lieu-1", "create"), ("lieu-1", "reject"), ("lieu-3", "create")]
    assert file_plan.rows[1].errors == ["identifiant « lieu-1 » en double (déjà ligne 2)."]


def test_the_command_checks_first_and_applies_only_when_asked(tmp_path, capsys):
    path = tmp_path / "lieux.csv"
    path.write_bytes(csv_file([row(), row(id="lieu-2")]))
    out = StringIO()

    call_command("import_places", str(path), stdout=out)
    assert "ligne 2 [lieu-1] à créer" in out.getvalue()
    assert "rien n'a été écrit" in out.getvalue() and Place.objects.count() == 0

    call_command("import_places", str(path), "--apply", stdout=out)
    assert Place.objects.count() == 2
    out = StringIO()
    call_command("import_places", str(path), "--apply", stdout=out)
    assert "0 à créer, 0 à mettre à jour, 2 inchangées, 0 rejetées." in out.getvalue()


def test_a_5000_row_file_is_checked_and_applied_in_one_go():
    rows = [
        row(id=f"lieu-{n}", nom=f"Lieu {n}", latitude=f"{44.5 + n / 100_000}") for n in range(5000)
    ]
    rows[4321] = row(id="lieu-4321", code_insee="99999")
    content = csv_file(rows)
    seen = []

    started = time.monotonic()
    file_plan = national.plan(content, progress=lambda done, total: seen.append((done, total)))
    elapsed = time.monotonic() - started

    assert file_plan.counts == {"create": 4999, "update": 0, "unchanged": 0, "reject": 1}
    assert file_plan.rows[4321].line == 4323 and not file_plan.can_apply
    assert seen[0] == (250, 5000) and seen[-1] == (5000, 5000)
    assert elapsed < 30
    rows[4321] = row(id="lieu-4321", nom="Lieu 4321")
    national.plan_apply(national.plan(csv_file(rows)))
    assert Place.objects.count() == 5000
    assert national.plan(csv_file(rows)).counts["unchanged"] == 5000


@pytest.mark.parametrize("export", [national.export_csv, national.export_json])
def test_the_export_imports_back_to_the_same_data(export):
    national.plan_apply(
        national.plan(
            csv_file(
                [
                    row(),
                    row(
                        id="lieu-2",
                        pivot="W461000123",
                        horaires="",
                        services="",
                        latitude="",
                        longitude="",
                    ),
                    row(id="lieu-3", presentation_resume="Un « lieu » ; avec, des | signes"),
                ]
            )
        )
    )
    local = PlaceFactory(name="Salle des fêtes", opening_hours="Tu 14:00-17:00")
    before = [national.place_row(p) for p in national.places_for_export()]

    exported = export(national.places_for_export())
    assert national.plan(exported).counts == {
        "create": 0,
        "update": 0,
        "unchanged": 4,
        "reject": 0,
    }

    Place.objects.all().delete()
    Structure.objects.filter(pk=local.structure_id).update(pivot="")
    national.plan_apply(national.plan(exported))
    after = [national.place_row(p) for p in national.places_for_export()]
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(after)[:3] == ids(before)[:3]
    strip = lambda r: {k: v for k, v in r.items() if k != "id"}  # noqa: E731
    assert [strip(r) for r in after] == [strip(r) for r in before]
