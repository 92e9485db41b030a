"""The statistics map is that of the user's département, named after it."""

import json

import pytest
from django.urls import reverse

from stats import charts
from stats.tables import Figure
from territory.models import Department, Epci
from territory.services import DATA_DIR, epci_outlines, territory_load
from tests.factories import StructureFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
RODEZ_AGGLO = "241200187"


def codes(outlines):
    return {feature["properties"]["epci_code"] for feature in outlines["features"]}


def test_the_outlines_are_those_of_the_departement():
    lot = json.loads((DATA_DIR / "lot_epci.geojson").read_text(encoding="utf-8"))
    assert epci_outlines(Department.objects.get(code="46")) == lot
    aveyron = codes(epci_outlines("12"))
    assert RODEZ_AGGLO in aveyron and len(aveyron) == 20
    assert "200069383" in aveyron  # CC Ouest Aveyron, its Aveyron part
    assert codes(epci_outlines("2A")) and not codes(epci_outlines("2A")) & aveyron
    assert epci_outlines("99") == {"type": "FeatureCollection", "features": []}


def test_the_map_of_the_aveyron_draws_its_epcis():
    territory_load("12")
    aveyron = Department.objects.get(code="12")
    figures = {
        RODEZ_AGGLO: ("CA Rodez Agglomération", Figure(4.2, "4,2")),
        "200069383": ("CC Ouest Aveyron Communauté", Figure(1.5, "1,5")),
    }
    svg = charts.epci_map(
        ident="carte", title="Carte", figures=figures, unit="‰", department=aveyron
    )
    assert svg.count('stroke-width="1"><title>') == 2  # one area for each EPCI
    assert "<title>CA Rodez Agglomération : 4,2</title>" in svg
    assert "<title>CC Ouest Aveyron Communauté : 1,5</title>" in svg


def test_an_officer_in_the_aveyron_sees_the_maps_of_the_aveyron(client):
    territory_load("12")
    officer = UserFactory(officer=True, structure=StructureFactory(commune=commune("12202")))
    client.force_login(officer)
    page = client.get(reverse("stats_home")).content.decode()
    assert "Orientations pour 1 000 habitants, par EPCI — Aveyron" in page
    assert page.count('role="img"') == 3
    rodez = Epci.objects.get(code=RODEZ_AGGLO)
    assert f"<title>{rodez.name} : " in page
    assert "CA du Grand Cahors" not in page


def test_the_lot_maps_are_named_after_the_lot(client):
    client.force_login(UserFactory(officer=True))
    page = client.get(reverse("stats_home")).content.decode()
    assert "Orientations pour 1 000 habitants, par EPCI — Lot" in page
    assert "<title>CA du Grand Cahors : " in page
