"""The whole thin journey in Debian's Chromium, driven by Playwright."""

import pytest
from pypdf import PdfReader

from assessments.services import questionnaire_load_file
from directory.enums import Service
from referrals.models import Referral
from tests.assessments.answers import assessment_through_browser
from tests.browser.chromium import log_in, log_out
from tests.factories import AdvisorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refer_accept_print_and_count(page):
    questionnaire_load_file()  # the flush of an earlier transactional test removed it
    social_worker = UserFactory(first_name="Claire", last_name="Vayssié")
    advisor = AdvisorFactory(
        user__first_name="Mathieu", user__last_name="Lacombe", place_commune="46128"
    )
    officer = UserFactory(officer=True)

    # 1. The social worker registers a person and records consent.
    log_in(page, social_worker)
    page.get_by_role("link", name="Nouvelle personne", exact=True).click()
    page.get_by_label("Prénom").fill("Josette")
    page.get_by_label("Nom", exact=True).fill("Delpech")
    page.get_by_label("Année de naissance").fill("1951")
    page.get_by_label("Commune de résidence").fill("Gramat (46500)")
    page.get_by_label("La personne accepte que son identité").check()
    page.get_by_role("button", name="Enregistrer et choisir les besoins").click()

    # 2. The digital-needs assessment, whose profile chooses the needs.
    assessment_through_browser(page)
    assert page.get_by_text("Diagnostic validé le").is_visible()
    page.get_by_role("button", name="Voir les conseillers").click()
    assert Service.ADMIN_PROCEDURES.value in page.get_by_role("main").inner_text()

    # 3. Advisors covering those needs, nearest first.
    suggestion = page.get_by_role("listitem").filter(has_text="Mathieu Lacombe")
    assert "0 km" in suggestion.inner_text()

    # 4. Sending: nothing is pre-selected, the social worker chooses.
    suggestion.get_by_role("radio").check()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    referral = Referral.objects.get()
    assert page.get_by_text(f"Orientation {referral.code} envoyée").is_visible()

    # 6. The slip, as a PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la fiche de liaison (PDF)").click()
    pdf = PdfReader(download_info.value.path())
    slip_text = pdf.pages[0].extract_text()
    assert referral.code in slip_text and "Mathieu Lacombe" in slip_text
    assert referral.assessment.is_validated
    log_out(page)

    # 5. The advisor finds it in the inbox and accepts; the social worker sees it.
    log_in(page, advisor.user)
    page.get_by_role("link", name=referral.code).click()
    page.get_by_role("button", name="Accepter l'orientation").click()
    assert page.get_by_text("Orientation acceptée").is_visible()
    log_out(page)
    log_in(page, social_worker)
    page.get_by_role("link", name="Orientations", exact=True).click()
    assert "Acceptée" in page.get_by_role("row").filter(has_text=referral.code).inner_text()
    log_out(page)

    # 7. The département officer sees counts by EPCI and month, and no names.
    log_in(page, officer)
    table = page.get_by_role("table").inner_text()
    assert "CC Causses et Vallée de la Dordogne" in table
    assert "Delpech" not in page.content() and "Josette" not in page.content()
