"""Loading any département, or all of them, from the national files."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territory.models import Commune, Department, Epci
from territory.services import department_codes, territory_load

pytestmark = pytest.mark.django_db
OUEST_AVEYRON = "200069383"  # 2 communes in the Lot, 27 in the Aveyron


def snapshot():
    return (
        list(Department.objects.order_by("code").values()),
        list(Epci.objects.order_by("code").values()),
        list(Commune.objects.order_by("insee").values()),
    )


def test_the_aveyron_loads_from_the_national_files_beside_the_lot(django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # in bulk, not a query per commune
        assert territory_load("12") == 285
    aveyron = Department.objects.get(code="12")
    assert aveyron.name == "Aveyron"
    assert aveyron.communes.count() == 285
    rodez = Commune.objects.get(insee="12202")
    assert (rodez.name, rodez.department, rodez.epci.name) == (
        "Rodez",
        aveyron,
        "CA Rodez Agglomération",
    )
    assert rodez.postal_codes == "12000"
    assert 44.3 < rodez.latitude < 44.4 and 2.5 < rodez.longitude < 2.6
    # The EPCI straddling both goes to the département holding most of its communes...
    assert Epci.objects.get(code=OUEST_AVEYRON).department == aveyron
    # ...and the Lot keeps its communes.
    assert Commune.objects.filter(department__code="46").count() == 312


def test_loading_a_departement_twice_changes_nothing(django_assert_max_num_queries):
    call_command("load_territory", "12", "2A", stdout=io.StringIO())
    before = snapshot()
    with django_assert_max_num_queries(20):
        assert territory_load(["12", "2A"]) == 285 + 124
    assert snapshot() == before


def test_all_loads_every_commune_of_the_101_departements_once():
    assert territory_load("all") == 34_875
    assert Department.objects.count() == 101
    assert Commune.objects.count() == 34_875
    assert Epci.objects.count() == 1_259  # 1,255 EPCIs and 4 island communes outside any
    assert Department.objects.get(code="971").name == "Guadeloupe"
    sein = Commune.objects.get(insee="29083")
    assert (sein.epci.code, sein.epci.name) == ("212900831", "Île-de-Sein")
    assert Commune.objects.get(insee="75056").postal_codes.startswith("75001 75002")
    before = snapshot()
    assert territory_load("all") == 34_875
    assert snapshot() == before


def test_an_unknown_code_is_refused_in_french_and_loads_nothing():
    before = snapshot()
    with pytest.raises(CommandError, match="Département inconnu : 99"):
        call_command("load_territory", "12", "99")
    assert snapshot() == before


def test_codes_are_read_as_insee_writes_them():
    assert department_codes(["2a", "1", "971", "12", "12"]) == ["2A", "01", "971", "12"]
    assert len(department_codes("ALL")) == 101


def test_without_a_code_the_lot_loads_from_its_own_files_as_before(capsys):
    call_command("load_territory")
    assert capsys.readouterr().out == "312 communes chargées.\n"
    lot = Department.objects.get(code="46")
    assert lot.name == "Lot"
    assert Commune.objects.filter(department=lot).count() == 312
    assert Epci.objects.filter(department=lot).count() == 10


def test_the_lot_from_the_national_files_is_the_lot_from_its_own_files():
    before = snapshot()
    assert territory_load("46") == 312
    assert snapshot() == before
