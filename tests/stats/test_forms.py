"""The statistics' filters: what the officer can pick."""

import pytest

from directory.enums import StructureKind
from stats.forms import FiltersForm
from tests.factories import StructureFactory, commune

pytestmark = pytest.mark.django_db


def test_the_structure_types_are_the_referring_ones_each_once_in_french():
    for name in ("CCAS de Cahors", "CCAS de Figeac", "CCAS de Gramat"):  # one type, thrice
        StructureFactory(name=name, typology="CCAS")
    StructureFactory(name="Maison des solidarités de Cahors", typology="MDS")
    StructureFactory(name="Tiers-lieu du Causse", typology="TIERS_LIEUX", mediation=True)
    StructureFactory(name="Médiathèque", typology="BIB", mediation=True)
    StructureFactory(name="Sans type", typology="")

    form = FiltersForm(department=commune("46042").department)

    assert form.fields["type"].choices == [
        ("", "Tous les types"),
        ("CCAS", "Centre communal d'action sociale"),
        ("MDS", "Maison des solidarités départementales"),
    ]


def test_a_referring_type_can_be_picked_and_a_mediation_one_cannot():
    StructureFactory(typology="CAF")
    StructureFactory(typology="TIERS_LIEUX", kind=StructureKind.MEDIATION)
    department = commune("46042").department

    assert FiltersForm({"type": "CAF"}, department=department).filters().typology == "CAF"
    refused = FiltersForm({"type": "TIERS_LIEUX"}, department=department)
    assert not refused.is_valid() and "type" in refused.errors


def test_a_referring_structure_of_a_national_type_is_offered_with_its_french_label():
    StructureFactory(typology="CS")
    choices = dict(FiltersForm(department=commune("46042").department).fields["type"].choices)
    assert choices["CS"] == "Centre social"
