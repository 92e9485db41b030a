"""The confirmation pages in Chromium: JavaScript off, the buttons still lead to them and the
confirmation does the action; with axe-core, no serious or critical violation on them."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from people.models import Person
from referrals.models import Referral, ReferralState
from tests.browser.chromium import chromium_page, log_in
from tests.factories import ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_javascript(live_server, territory):
    with chromium_page(live_server.url, java_script_enabled=False) as page:
        yield page


def test_without_javascript_each_action_is_confirmed_on_its_page(page_without_javascript):
    page = page_without_javascript
    referral = ReferralFactory(code="LOT-ABC123")
    person = referral.person
    other = ReferralFactory(person=person, code="LOT-DEF456")
    log_in(page, person.created_by)

    # Cancelling one referral: the button leads to a page that says what will happen.
    page.goto(f"/orientations/{other.pk}/")
    page.get_by_role("button", name="Annuler l'orientation…").click()
    assert page.get_by_role("heading", name="Annuler l'orientation LOT-DEF456 ?").is_visible()
    assert "1 orientation en cours sera annulée" in page.get_by_role("main").inner_text()
    other.refresh_from_db()
    assert other.state == ReferralState.SENT
    page.get_by_label("Motif d'annulation").select_option("mistake")
    page.get_by_role("button", name="Annuler définitivement l'orientation").click()
    assert page.get_by_text("Orientation annulée.").is_visible()
    other.refresh_from_db()
    assert other.state == ReferralState.CANCELLED

    # Withdrawing consent: the page names the referral it cancels; going back changes nothing.
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("button", name="Retirer le consentement…").click()
    main = page.get_by_role("main").inner_text()
    assert "1 orientation en cours sera annulée" in main and "LOT-ABC123 (envoyée)" in main
    page.get_by_role("link", name="Ne rien changer et revenir à la fiche de la personne").click()
    assert Person.objects.get(pk=person.pk).active_consent is not None

    # Erasing: the page says what goes and what stays, then the erasure is done.
    page.get_by_role("button", name="Effacer ses données…").click()
    main = page.get_by_role("main").inner_text()
    assert "Les données personnelles seront effacées définitivement" in main
    assert "Les statistiques anonymes restent" in main
    assert "LOT-ABC123 (envoyée)" in main
    page.get_by_role("button", name="Effacer définitivement les données").click()
    assert page.get_by_text("Données de la personne effacées.").is_visible()
    assert Person.objects.get(pk=person.pk).erased_at is not None
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.CANCELLED


def test_the_confirmation_pages_pass_axe(page):
    referral = ReferralFactory()
    person = referral.person
    log_in(page, person.created_by)
    axe = Axe()
    for url in (
        f"/personnes/{person.pk}/",
        f"/personnes/{person.pk}/effacer/",
        f"/personnes/{person.pk}/consentement/retirer/",
        f"/orientations/{referral.pk}/annuler/",
    ):
        page.goto(url)
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']}: {[n['target'] for n in v['nodes']]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (url, serious)
