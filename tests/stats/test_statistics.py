"""The statistics from referrals to pages, CSV and API: counts, delays, filters, map."""

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from assessments.models import Assessment
from directory.enums import Service
from pasip.workdays import working_days_between
from referrals.models import DeclineReason
from stats.services import WorkingDayCounter, stats_refresh
from tests.factories import PersonFactory, ReferralFactory, StructureFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
GRAMAT_EPCI = "CC Causses et Vallée de la Dordogne"
FIGEAC_EPCI = "CC Grand-Figeac"


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def table_of(client, slug, **filters):
    return client.get(f"/api/v1/stats/{slug}/", filters).json()


def row(table, label):
    return next(r for r in table["rows"] if r["label"] == label)


def values(table_row):
    return [cell["display"] for cell in table_row["cells"]]


@pytest.fixture
def officer_api():
    client = APIClient()
    client.force_authenticate(UserFactory(officer=True))
    return client


def test_working_days_skip_the_fourteenth_of_july():
    counter = WorkingDayCounter()
    # Friday 10 July 2026 → Wednesday 15: Monday 13 and Wednesday 15, not Tuesday 14 (holiday).
    assert counter.between(date(2026, 7, 10), date(2026, 7, 15)) == 2
    assert counter.between(date(2026, 7, 15), date(2026, 7, 10)) == 0


@given(st.dates(date(2001, 1, 1), date(2035, 12, 31)), st.integers(0, 400))
def test_working_days_counted_fast_match_the_reference(start, days):
    end = date.fromordinal(start.toordinal() + days)
    assert WorkingDayCounter().between(start, end) == working_days_between(start, end)


def test_delays_are_medians_and_90th_percentiles_in_working_days(settings, officer_api):
    settings.PASIP_STATS_MIN_COUNT = 3
    sent = date(2026, 7, 10)  # a Friday; Tuesday 14 July is a holiday
    answers = [date(2026, 7, 13), date(2026, 7, 15), date(2026, 7, 15), date(2026, 7, 17)]
    for answered in answers:  # 1, 2, 2 and 4 working days
        ReferralFactory(
            sent_at=at(sent),
            answered_at=at(answered, 16),
            first_meeting_at=at(date(2026, 7, 21)),  # 6 working days
            in_progress=True,
        )
    for _index in range(3):  # no answer yet: not counted (as many as the threshold, so that
        # the year's total minus the answered ones publishes no small count)
        ReferralFactory(sent_at=at(sent))
    stats_refresh()
    delays = table_of(officer_api, "delais")
    assert values(row(delays, "De l'envoi à la réponse du conseiller")) == [
        "4",
        "2 j. ouvrés",
        "4 j. ouvrés",
    ]
    assert values(row(delays, "De l'envoi au premier rendez-vous")) == [
        "4",
        "6 j. ouvrés",
        "6 j. ouvrés",
    ]
    # Fewer referrals than the threshold: neither the count nor its delays are published.
    assert values(row(delays, "De l'envoi à la clôture")) == ["0", "—", "—"]


def test_a_delay_over_too_few_referrals_is_not_published(officer_api):
    ReferralFactory(answered_at=at(date(2026, 7, 15)), sent_at=at(date(2026, 7, 10)))
    stats_refresh()
    delays = table_of(officer_api, "delais")
    assert values(row(delays, "De l'envoi à la réponse du conseiller")) == [
        "< 11",
        "secret",
        "secret",
    ]


def test_counts_by_need_age_band_support_mode_and_structure_type(settings, officer_api):
    settings.PASIP_STATS_MIN_COUNT = 2
    person = PersonFactory(birth_year=1950)  # 76 in 2026
    assessment = Assessment.objects.create(
        person=person, created_by=person.created_by, profile={"support_mode": "faire_pour"}
    )
    for _index in range(2):
        ReferralFactory(
            person=person,
            assessment=assessment,
            sent_at=at(date(2026, 3, 2)),
            needs=[Service.ADMIN_PROCEDURES, Service.SAFETY],
        )
    ReferralFactory(sent_at=at(date(2026, 3, 3)), person=PersonFactory(birth_year=1990))
    stats_refresh()
    needs = table_of(officer_api, "besoins")
    assert row(needs, Service.ADMIN_PROCEDURES.label)["cells"][-1]["value"] == 3
    assert row(needs, Service.SAFETY.label)["cells"][-1]["value"] == 2
    assert row(needs, "Total des besoins")["cells"][-1]["value"] == 5
    # 2 of 75 and over, 1 of 25 to 44 (hidden), total 3: the 2 is hidden as its complement.
    ages = table_of(officer_api, "ages")
    assert values(row(ages, "75 ans et plus")) == ["secret"]
    assert values(row(ages, "25 à 44 ans")) == ["< 2"]
    assert values(row(ages, "Total")) == ["3"]
    modes = table_of(officer_api, "accompagnement")
    assert values(row(modes, "Faire pour la personne")) == ["secret"]
    assert values(row(modes, "Non renseigné")) == ["< 2"]
    types = table_of(officer_api, "structures")
    assert row(types, "Centre communal d'action sociale")["cells"][-1]["value"] == 3


def test_filters_by_year_and_by_one_epci_type_or_need(settings, officer_api):
    settings.PASIP_STATS_MIN_COUNT = 1  # every count published: the filters alone are tested
    caf = StructureFactory(typology="CAF")
    figeac = PersonFactory(commune=commune("46102"), created_by=UserFactory(structure=caf))
    ReferralFactory(sent_at=at(date(2025, 12, 5)))  # Gramat, CCAS, the year before
    ReferralFactory(sent_at=at(date(2026, 1, 5)))  # Gramat, CCAS, January
    ReferralFactory(sent_at=at(date(2026, 2, 5)), needs=[Service.SAFETY])  # Gramat, February
    ReferralFactory(sent_at=at(date(2026, 2, 6)), person=figeac)  # Figeac, CAF, February
    stats_refresh()

    def total(slug="epci", **filters):
        return row(table_of(officer_api, slug, **filters), "Total")["cells"][-1]["value"]

    assert total() == 3  # the latest year by default
    assert total(annee=2025) == 1
    assert table_of(officer_api, "epci")["filters"]["annee"] == 2026
    # A filter keeps the rows of its EPCI, type or need, with the département's total.
    by_epci = table_of(officer_api, "epci", epci="200067361")
    assert [r["label"] for r in by_epci["rows"]] == [FIGEAC_EPCI, "Total"]
    assert row(by_epci, FIGEAC_EPCI)["cells"][-1]["value"] == 1
    communes = table_of(officer_api, "communes", epci="200067361")
    assert [r["label"] for r in communes["rows"]] == [FIGEAC_EPCI, "Figeac", "Total"]
    by_type = table_of(officer_api, "structures", type="CAF")
    assert [r["label"] for r in by_type["rows"]] == ["Caisse d'allocations familiales", "Total"]
    by_need = table_of(officer_api, "besoins", besoin=Service.SAFETY.value)
    assert [r["label"] for r in by_need["rows"]] == [Service.SAFETY.label, "Total des besoins"]
    # A table without that dimension stays the département's, and says so: subtracting a
    # filtered copy of it from the whole would give back the other types' counts.
    ages, ages_caf = table_of(officer_api, "ages"), table_of(officer_api, "ages", type="CAF")
    assert ages_caf["rows"] == ages["rows"]
    assert "ne se découpe pas par type de structure" in ages_caf["notes"][0]
    months = table_of(officer_api, "mois", annee=2025)
    assert [r["label"] for r in months["rows"]] == [
        *(f"{name} 2025" for name in MONTHS),
        "Total de l'année",
    ]


MONTHS = [
    "Janvier",
    "Février",
    "Mars",
    "Avril",
    "Mai",
    "Juin",
    "Juillet",
    "Août",
    "Septembre",
    "Octobre",
    "Novembre",
    "Décembre",
]


def test_invalid_filters_are_a_400_with_the_reason(officer_api):
    ReferralFactory(sent_at=at(date(2026, 2, 5)))
    stats_refresh()
    both = officer_api.get("/api/v1/stats/mois/", {"epci": "200067361", "type": "CCAS"})
    assert both.status_code == 400
    assert both.json()["errors"]["__all__"][0].startswith(
        "Un seul filtre à la fois parmi l'EPCI, le type de structure et le besoin"
    )
    # Month ranges are gone: two overlapping ranges would give a month's counts away.
    ranges = officer_api.get("/api/v1/stats/mois/", {"du": "2026-01", "au": "2026-06"})
    assert ranges.status_code == 400
    assert ranges.json()["errors"]["du"][0].startswith("Paramètre inconnu")
    assert officer_api.get("/api/v1/stats/mois/", {"annee": "1990"}).status_code == 400
    ok = officer_api.get("/api/v1/stats/mois/", {"annee": "2026", "format": "json"})
    assert ok.status_code == 200


def test_page_csv_and_api_show_the_same_cells(client):
    for _index in range(14):
        ReferralFactory(accepted=True)
    for _index in range(3):
        ReferralFactory(declined=True, decline_reason=DeclineReason.NO_CAPACITY)
    client.force_login(UserFactory(officer=True))
    page = client.get(reverse("stats_indicator", args=["epci"])).content.decode()
    exported = client.get(reverse("stats_csv", args=["epci"]))
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    api = client.get("/api/v1/stats/epci/").json()
    gramat_csv = next(line for line in lines if line[0] == GRAMAT_EPCI)
    gramat_api = row(api, GRAMAT_EPCI)
    assert gramat_csv[1:] == [
        cell["display"] if cell["value"] is None else str(cell["value"])
        for cell in gramat_api["cells"]
    ]
    # 3 declined for lack of capacity hidden; 17 - 3 would give it back from the 14 accepted,
    # hidden in turn, and so is the département's 14 accepted (no other EPCI to hide instead).
    assert gramat_csv[1:] == ["0", "secret", "< 11", "0", "0", "0", "0", "0", "0", "17"]
    total_csv = next(line for line in lines if line[0] == "Total")
    assert total_csv[1:] == ["0", "secret", "< 11", "0", "0", "0", "0", "0", "0", "17"]
    cells = re.search(rf"{GRAMAT_EPCI}</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r">([^<]+)</td>", cells) == [
        "0",
        "secret",
        "&lt; 11",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "17",
    ]


def test_a_commune_table_hides_the_epci_total_as_the_epci_table_does(settings, officer_api):
    settings.PASIP_STATS_MIN_COUNT = 11
    for _index in range(12):
        ReferralFactory()  # Gramat
    for _index in range(3):
        ReferralFactory(person=PersonFactory(commune=commune("46251")))  # Saint-Céré, same EPCI
    stats_refresh()
    communes = table_of(officer_api, "communes")
    epci = row(communes, GRAMAT_EPCI)
    assert epci["group"] and epci["cells"][0]["value"] == 15
    assert values(row(communes, "Saint-Céré")) == ["< 11"]
    # 15 - 3 would give Gramat away if it were published: it is hidden as the complement.
    assert values(row(communes, "Gramat")) == ["secret"]


def test_the_map_page_draws_each_epci_with_its_figure_and_one_data_table(client):
    for _index in range(12):
        ReferralFactory()
    client.force_login(UserFactory(officer=True))
    page = client.get(reverse("stats_home")).content.decode()
    assert page.count("<table") == 1
    assert page.count('role="img"') == 3
    assert 'fill="url(#carte-taux-motif-' in page  # a pattern, readable without colour
    rate = 1000 * 12 / 45461  # the EPCI of Gramat's population
    assert f"{rate:.1f}".replace(".", ",") in page
    assert "<title>CC Causses et Vallée de la Dordogne : " in page


def test_the_beat_schedule_rebuilds_the_tables():
    from stats.models import Refresh
    from stats.tasks import refresh_statistics
    from worker.celery import app

    entry = app.conf.beat_schedule["refresh-statistics"]
    assert entry["task"] == "stats.tasks.refresh_statistics"
    ReferralFactory()
    refresh_statistics()
    assert Refresh.objects.latest().referrals == 1


def test_a_table_is_computed_once_per_rebuild_of_the_counts(settings, officer_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PASIP_STATS_MIN_COUNT = 1
    ReferralFactory(sent_at=at(date(2026, 3, 2)))
    stats_refresh()
    assert row(table_of(officer_api, "besoins"), "Total des besoins")["cells"][-1]["value"] == 1
    ReferralFactory(sent_at=at(date(2026, 3, 3)))
    with CaptureQueriesContext(connection) as queries:
        again = table_of(officer_api, "besoins")  # the same counts until they are rebuilt
    assert row(again, "Total des besoins")["cells"][-1]["value"] == 1
    assert not any("stats_referralcube" in query["sql"] for query in queries.captured_queries)
    stats_refresh()
    rebuilt = table_of(officer_api, "besoins")
    assert row(rebuilt, "Total des besoins")["cells"][-1]["value"] == 2
    settings.PASIP_STATS_MIN_COUNT = 3  # another threshold: computed again, with it
    assert values(row(table_of(officer_api, "besoins"), "Total des besoins"))[-1] == "< 3"
