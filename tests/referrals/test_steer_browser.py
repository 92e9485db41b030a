"""In Chromium, the everyday case of the brief: a person of Gramat, born 1951, landline only.
The social worker keeps one need of the assessment, picks an advisor from the directory
outside the suggestions and says why; the advisor accepts, sets the appointment and moves it,
the page saying the person will not be told (a landline). axe-core on each new page."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from assessments.services import questionnaire_load_file
from people.models import ContactChannel
from referrals.models import Referral
from tests.assessments.answers import validated_assessment
from tests.browser.chromium import log_in, log_out
from tests.factories import AdvisorFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def assert_accessible(page, where):
    violations = AXE.run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{where}: {serious}"


def test_needs_kept_advisor_from_the_directory_appointment_moved(page):
    questionnaire_load_file()  # the flush of an earlier transactional test removed it
    social_worker = UserFactory(first_name="Claire", last_name="Vayssié")
    person = PersonFactory(
        created_by=social_worker,
        phone="05 65 38 64 00",
        email="",
        preferred_channel=ContactChannel.PHONE,
    )
    needs = validated_assessment(person).needs_profile.categories
    dropped = needs[1]
    kept = [need for need in needs if need != dropped]
    AdvisorFactory(user__first_name="Mathieu", user__last_name="Lacombe", place_commune="46128")
    chosen = AdvisorFactory(
        user__first_name="Sylvie", user__last_name="Cayrou", place_commune="46042"
    )

    # The needs of this referral: one unticked.
    log_in(page, social_worker)
    page.goto(f"/personnes/{person.pk}/orienter/")
    assert_accessible(page, "besoins")
    page.get_by_label(dropped).uncheck()
    page.get_by_role("button", name="Voir les conseillers").click()
    heading_line = page.get_by_text("pour :", exact=False).first.inner_text()
    assert kept[0] in heading_line and dropped not in heading_line

    # The directory, read-only, searched by name; the advisor picked with the reason.
    page.get_by_role("link", name="Choisir un autre conseiller dans l'annuaire").click()
    page.get_by_label("Nom du conseiller ou de sa structure").fill("cayrou")
    page.get_by_role("button", name="Rechercher").click()
    assert_accessible(page, "annuaire")
    page.get_by_role("button", name="Choisir Sylvie Cayrou").click()
    assert_accessible(page, "choix hors suggestions")
    page.get_by_label("Pourquoi ce conseiller", exact=False).fill(
        "Elle la connaît déjà, sa fille l'y conduit le mardi."
    )
    page.get_by_role("button", name="Envoyer l'orientation").click()
    referral = Referral.objects.get()
    assert (referral.advisor, referral.needs, referral.chosen_outside) == (chosen, kept, True)
    assert page.get_by_text("Elle la connaît déjà, sa fille l'y conduit le mardi.").is_visible()
    log_out(page)

    # The advisor accepts, sets the appointment, then moves it.
    log_in(page, chosen.user)
    page.goto(f"/orientations/{referral.pk}/")
    page.get_by_role("button", name="Accepter l'orientation").click()
    section = page.locator("#rendez-vous")
    assert "son numéro n'est pas un mobile" in section.inner_text()
    assert_accessible(page, "rendez-vous")
    first = timezone.localtime(timezone.now() + timedelta(days=5)).replace(hour=10, minute=0)
    section.get_by_label("Date et heure du rendez-vous").fill(first.strftime("%Y-%m-%dT%H:%M"))
    section.get_by_role("button", name="Fixer le rendez-vous").click()
    assert page.locator(".message.success").inner_text().startswith("Rendez-vous fixé.")
    later = first + timedelta(days=2)
    section = page.locator("#rendez-vous")
    section.get_by_label("Date et heure du rendez-vous").fill(later.strftime("%Y-%m-%dT%H:%M"))
    section.get_by_role("button", name="Déplacer le rendez-vous").click()
    assert page.locator(".message.success").inner_text().startswith("Rendez-vous déplacé.")
    assert f"Prévu le {later:%d/%m/%Y} à 10:00" in page.locator("#rendez-vous").inner_text()
    referral.refresh_from_db()
    assert timezone.localtime(referral.appointment_at).date() == later.date()


def test_the_new_pages_fit_a_phone(live_server, territory):
    """390 × 844: the content of the needs, the directory, the choice outside the
    suggestions and the appointment section stays within the width (the header's menu is the
    layout's, checked with the other pages)."""
    from tests.browser.chromium import chromium_page

    questionnaire_load_file()
    social_worker = UserFactory()
    person = PersonFactory(created_by=social_worker)
    needs = validated_assessment(person).needs_profile.categories
    advisor = AdvisorFactory(user__first_name="Sylvie", user__last_name="Cayrou")
    referral = Referral.objects.create(
        code="LOT-PH0N",
        person=person,
        referring_structure=social_worker.structure,
        referrer=social_worker,
        advisor=advisor,
        needs=needs,
        state="accepted",
    )
    with chromium_page(live_server.url, viewport={"width": 390, "height": 844}) as page:

        def fits(where):
            wider = page.evaluate(
                """() => [...document.querySelectorAll('main *')]
                    .filter(el => el.getBoundingClientRect().right > 390)
                    .map(el => el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30))"""
            )
            assert not wider, f"{where}: {wider}"

        log_in(page, social_worker)
        page.goto(f"/personnes/{person.pk}/orienter/")
        fits("besoins")
        page.goto(f"/annuaire/recherche/?personne={person.pk}")
        fits("annuaire")
        page.get_by_role("button", name="Choisir Sylvie Cayrou").click()
        fits("choix hors suggestions")
        log_out(page)
        log_in(page, advisor.user)
        page.goto(f"/orientations/{referral.pk}/")
        assert page.locator("#rendez-vous").is_visible()
        fits("rendez-vous")
