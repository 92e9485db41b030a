import pytest

from territory.models import Commune, Epci
from territory.services import territory_load


@pytest.mark.django_db
def test_the_lot_has_312_communes_in_10_epcis_with_its_population():
    assert Commune.objects.count() == 312
    assert Epci.objects.count() == 10
    assert sum(Commune.objects.values_list("population", flat=True)) == 176_473
    cahors = Commune.objects.get(insee="46042")
    assert cahors.name == "Cahors"
    assert cahors.epci.name == "CA du Grand Cahors"


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    before = list(Commune.objects.order_by("insee").values())
    assert territory_load() == 312
    assert list(Commune.objects.order_by("insee").values()) == before
    assert Epci.objects.count() == 10


def test_distance_between_cahors_and_figeac_is_about_55_km(db):
    cahors, figeac = Commune.objects.get(insee="46042"), Commune.objects.get(insee="46102")
    assert 50 < cahors.distance_km(figeac.latitude, figeac.longitude) < 60
