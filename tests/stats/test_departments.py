"""Two départements on one installation: each officer and coordinator reads the statistics of
their own département only, under their own département's threshold."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from stats.services import stats_refresh
from territory.models import Epci
from territory.services import territory_load
from tests.factories import (
    PersonFactory,
    ReferralFactory,
    StructureFactory,
    UserFactory,
    commune,
)
from tests.territory.factories import rodez

pytestmark = pytest.mark.django_db


def territory_table(user):
    client = APIClient()
    client.force_authenticate(user)
    answer = client.get("/api/v1/stats/territoire/")
    assert answer.status_code == 200
    table = answer.json()
    total = next(row for row in table["rows"] if row["total"])
    referrals = table["columns"].index("Orientations")
    labels = [row["label"] for row in table["rows"] if not row["total"]]
    return labels, total["cells"][referrals], table["threshold"]


@override_settings(PASIP_STATS_MIN_COUNT=1)
def test_each_departements_officer_and_coordinator_read_their_own_figures():
    for _ in range(3):
        ReferralFactory()
    in_aveyron = StructureFactory(commune=rodez())
    for _ in range(2):
        ReferralFactory(person=PersonFactory(commune=rodez(), created_by__structure=in_aveyron))
    stats_refresh()
    for role in ("officer", "coordinator"):
        labels, total, threshold = territory_table(UserFactory(**{role: True}))
        assert (total["value"], threshold) == (3, 1)
        assert "CA du Grand Cahors" in labels and "Rodez Agglomération" not in labels
        labels, total, threshold = territory_table(
            UserFactory(**{role: True}, structure=StructureFactory(commune=rodez()))
        )
        assert (labels, total["value"], threshold) == (["Rodez Agglomération"], 2, 1)

    aveyron = rodez().department
    aveyron.stats_min_count = 3  # Aveyron's own threshold: its 2 referrals are not published
    aveyron.save()
    _labels, total, threshold = territory_table(
        UserFactory(officer=True, structure=StructureFactory(commune=rodez()))
    )
    assert (total["value"], total["status"], threshold) == (None, "primary", 3)
    _labels, total, threshold = territory_table(UserFactory(officer=True))
    assert (total["value"], threshold) == (3, 1)


@override_settings(PASIP_STATS_MIN_COUNT=1)
def test_an_epci_straddling_two_loaded_departements_counts_in_both():
    """CC Ouest Aveyron Communauté holds two communes of the Lot: with the Aveyron loaded too,
    it is filed under the Aveyron, and still a row of the Lot's tables for those two."""
    territory_load("12")
    straddling = Epci.objects.get(code="200069383")
    assert straddling.department.code == "12"
    ReferralFactory(person=PersonFactory(commune=commune("46154")))  # Laramière, Lot
    ReferralFactory()
    stats_refresh()  # the Lot's EPCI rows add up to its total again
    labels, total, _threshold = territory_table(UserFactory(officer=True))
    assert "CC Ouest Aveyron Communauté" in labels and total["value"] == 2
    labels, total, _threshold = territory_table(
        UserFactory(officer=True, structure=StructureFactory(commune=commune("12202")))
    )
    assert "CC Ouest Aveyron Communauté" in labels and total["value"] == 0
    for structure in ({}, {"structure": StructureFactory(commune=commune("12202"))}):
        client = Client()
        client.force_login(UserFactory(officer=True, **structure))
        page = client.get("/statistiques/", {"epci": straddling.pk})
        assert page.status_code == 200 and "CC Ouest Aveyron Communauté" in page.content.decode()
