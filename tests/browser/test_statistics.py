"""The Département's officer on the demo data, in Chromium: the map, a filter, a table, its CSV."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command

from people.models import Person
from stats.services import stats_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def assert_accessible(page, where):
    violations = AXE.run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: {serious}"


def test_the_officer_reads_the_map_filters_by_epci_and_downloads_a_table(page):
    call_command("load_demo", stdout=StringIO())
    stats_refresh()
    persons = Person.objects.values_list("first_name", "last_name", "phone", "email")
    personal = {f"{first} {last}" for first, last, _phone, _email in persons}
    personal |= {c for _first, _last, *contacts in persons for c in contacts if c}
    seen = []

    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("pilotage")
    page.get_by_label("Mot de passe").fill(settings.PASIP_DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/statistiques/")
    # Three maps of the Lot, each EPCI with its figure, and their one data table.
    assert page.get_by_role("img").count() >= 3
    assert page.locator("table caption").first.inner_text().startswith("Orientations, taux")
    assert page.get_by_role("row", name="CC Grand-Figeac").is_visible()
    assert_accessible(page, "carte")
    seen.append(page.content())

    # One EPCI: its row, and the département's total.
    page.get_by_label("EPCI (facultatif)").select_option(label="CC Grand-Figeac")
    page.get_by_role("button", name="Afficher").click()
    rows = page.locator("table.stats tbody tr")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == [
        "CC Grand-Figeac",
        "Total",
    ]
    seen.append(page.content())
    # A table without EPCIs stays the département's, and says why.
    page.get_by_role("link", name="Tranches d'âge").click()
    scope = page.get_by_role("note").filter(has_text="il ne se découpe pas par EPCI")
    assert scope.is_visible()  # said above the chart, not only under the table
    assert_accessible(page, "tranches d'âge")
    seen.append(page.content())

    # Two filters at once are refused in French, and the choices stay as they were.
    page.get_by_label("Besoin (facultatif)").select_option(index=1)
    page.get_by_role("button", name="Afficher").click()
    assert page.get_by_role("alert").filter(has_text="Un seul filtre à la fois").is_visible()
    assert page.get_by_label("EPCI (facultatif)").input_value() != ""

    # The outcomes' table, downloaded as CSV: the same cells, accents readable.
    page.goto("/statistiques/issues/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce tableau (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert lines[0][0] == "Issue"
    assert [line[0] for line in lines[1:]][:2] == [
        "Besoin satisfait",
        "Besoin partiellement satisfait",
    ]
    shown = [cell.inner_text() for cell in page.locator("table.stats tbody td").all()]
    assert [line[1] for line in lines[1:]] == [text.replace("\u202f", "") for text in shown]
    seen.append(page.content())

    for html in seen:  # no person's name, phone or e-mail anywhere the officer went
        assert not [data for data in personal if data in html]
