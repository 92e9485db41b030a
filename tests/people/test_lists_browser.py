"""The everyday lists in Chromium: the social worker searches a person (the name never in the
address bar), is warned of a duplicate, the advisor declines from the inbox's row, the
coordinator filters the board and the access log. Each page is checked with axe-core (no
serious or critical violation) and on a phone, 390 px wide: the content is never wider, the
tables scroll in their own box."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from people.models import Person
from referrals.models import DeclineReason, ReferralState
from tests.browser.chromium import chromium_page, log_in, log_out
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


@pytest.fixture
def page(live_server, territory):
    with chromium_page(live_server.url, viewport={"width": 390, "height": 844}) as page:
        yield page


def check_page(page, where):
    violations = AXE.run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{where}: {serious}"
    # What the page's content makes wider than the phone (the header is another matter).
    wider = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll("main *")]
                .filter(e => !e.closest(".scroll") && e.getBoundingClientRect().right > width + 1)
                .map(e => e.outerHTML.slice(0, 80));
        }"""
    )
    assert not wider, f"{where}: wider than the phone: {wider}"


def test_search_duplicate_inbox_board_and_log(page):
    social_worker = UserFactory()
    existing = PersonFactory(created_by=social_worker, first_name="Hélène", last_name="Bénac")
    PersonFactory(created_by=social_worker, first_name="Josette", last_name="Delpech")
    advisor = AdvisorFactory()
    referral = ReferralFactory(person=existing, advisor=advisor)
    coordinator = UserFactory(coordinator=True)

    log_in(page, social_worker)
    page.goto("/personnes/")
    page.get_by_label("Nom ou prénom").fill("helene benac")
    page.get_by_role("button", name="Rechercher").click()
    assert page.get_by_role("link", name="Bénac Hélène").is_visible()
    assert page.get_by_role("link", name="Delpech Josette").count() == 0
    assert "benac" not in page.url.lower()
    check_page(page, "liste des personnes")

    page.get_by_role("link", name="Enregistrer une nouvelle personne").click()
    page.get_by_label("Prénom").fill("Helene")
    page.get_by_label("Nom", exact=True).fill("BENAC")
    page.get_by_label("Année de naissance").fill("1951")
    page.get_by_label("Commune de résidence").fill("Gramat")
    page.get_by_label("Moyen de contact préféré").select_option(label="Téléphone")
    page.get_by_label("La personne accepte que son identité", exact=False).check()
    page.get_by_role("button", name="Enregistrer et choisir les besoins").click()
    warning = page.locator("#duplicate-warning")
    assert "peut-être déjà enregistrée" in warning.inner_text()
    assert page.get_by_label("Prénom").input_value() == "Helene"
    check_page(page, "doublon probable")
    page.get_by_label("Il s'agit d'une autre personne").check()
    page.get_by_role("button", name="Enregistrer et choisir les besoins").click()
    page.wait_for_url("**/orienter/")
    assert Person.objects.filter(created_by=social_worker).count() == 3
    log_out(page)

    log_in(page, advisor.user)
    page.goto("/orientations/?tri=urgence")
    check_page(page, "orientations reçues")
    page.get_by_text("Refuser", exact=False).first.click()
    page.get_by_label("Motif du refus").select_option(label="Hors zone")
    page.get_by_role("button", name=f"Refuser l'orientation {referral.code}").click()
    page.wait_for_url(f"**/orientations/{referral.pk}/")
    referral.refresh_from_db()
    assert (referral.state, referral.decline_reason) == (
        ReferralState.DECLINED,
        DeclineReason.OUT_OF_AREA,
    )
    log_out(page)

    ReferralFactory(reminded_at=timezone.now(), sent_at=timezone.now() - timedelta(days=20))
    log_in(page, coordinator)
    page.goto("/coordination/")
    check_page(page, "tableau de coordination")
    page.get_by_label("Motif du refus").select_option(label="Hors zone")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and referral.code in rows.inner_text()
    assert "Hors zone" in rows.inner_text() and existing.last_name not in page.content()
    page.goto("/coordination/consultations/")
    page.get_by_label("N° de la personne").fill(str(existing.pk))
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator("tbody tr").count() >= 1
    check_page(page, "journal des consultations")
