"""The shipped national territory files agree with the shipped Lot files."""

import csv
import json

from territory import cog
from territory.services import DATA_DIR


def _lot_rows():
    with open(DATA_DIR / "lot_communes.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_national_file_gives_the_lot_its_312_communes_exactly_as_the_lot_file():
    national = cog.read_communes(departments=["46"])
    assert len(national) == 312
    assert national == [{**row, "department": "46"} for row in _lot_rows()]


def test_the_national_file_has_every_current_commune_of_the_101_departements():
    departements = cog.read_departements()
    assert len(departements) == 101
    assert departements["46"] == {
        "code": "46",
        "name": "Lot",
        "region": "Occitanie",
        "liaison": "2",
    }
    assert departements["2A"]["name"] == "Corse-du-Sud"
    assert departements["971"]["name"] == "Guadeloupe"
    assert "975" not in departements  # an overseas collectivity, not a département
    communes = cog.read_communes()
    assert len(communes) == 34_875
    assert {row["department"] for row in communes} == set(departements)
    assert all(row["lat"] and row["lon"] and row["epci_code"] for row in communes)


def test_the_lot_outlines_of_the_national_file_are_those_of_the_lot_file():
    def outlines(path):
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return {f["properties"]["epci_code"]: f["geometry"] for f in features}

    assert outlines(cog.epci_outlines_path("46")) == outlines(DATA_DIR / "lot_epci.geojson")


def test_the_national_files_stay_small():
    files = [path for path in cog.COG_DIR.rglob("*") if path.is_file()]
    assert len(files) == 2 + 101
    assert sum(path.stat().st_size for path in files) < 5_000_000
