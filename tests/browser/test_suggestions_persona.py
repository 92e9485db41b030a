"""The everyday persona in Chromium, on the demo data: suggestions present, explained, nothing
pre-selected, the advisors left out shown with distance, next permanence and load."""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from assessments.services import questionnaire_load_file
from referrals.models import Referral
from tests.assessments.answers import validated_assessment
from tests.browser.chromium import log_in
from tests.directory.test_matching_persona import PERSONA
from tests.factories import PersonFactory, UserFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_persona_is_offered_the_gramat_advisors_and_the_social_worker_chooses(page):
    questionnaire_load_file()  # the flush of an earlier transactional test removed it
    call_command("load_demo", stdout=StringIO())
    social_worker = UserFactory(first_name="Claire", last_name="Vayssié")
    person = PersonFactory(
        first_name="Simone",
        last_name="Lafon",
        birth_year=1951,
        phone="05 65 33 22 11",  # a landline
        commune=commune("46128"),
        created_by=social_worker,
    )
    validated_assessment(person, answers=PERSONA)

    log_in(page, social_worker)
    page.goto(f"/personnes/{person.pk}/orienter/")
    page.get_by_role("button", name="Voir les conseillers").click()

    suggested = page.locator("ol.suggestions > li")
    assert suggested.count() == 2
    texts = [suggested.nth(i).inner_text() for i in range(2)]
    assert all("France Services de Gramat" in text for text in texts)
    assert all("ne couvre pas : " in text for text in texts)
    assert any("quand la personne est disponible" in text for text in texts)
    assert page.locator('input[name="advisor"]:checked').count() == 0
    left_out = page.locator("ul.suggestions > li").first.inner_text()
    assert "km · prochaine permanence le " in left_out and "accompagnements en cours" in left_out
    violations = Axe().run(page).response["violations"]
    assert not [v["id"] for v in violations if v["impact"] in ("serious", "critical")]

    # Sending without choosing is refused in plain French; then she picks the second one.
    page.get_by_role("button", name="Envoyer l'orientation").click()
    assert page.get_by_text("Choisissez un conseiller.").is_visible()
    assert not Referral.objects.filter(person=person).exists()
    page.locator("ol.suggestions > li").nth(1).get_by_role("radio").check()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    referral = Referral.objects.get(person=person)
    assert page.get_by_text(f"Orientation {referral.code} envoyée").is_visible()
    assert (referral.was_suggested, referral.suggested_rank) == (True, 2)
    assert referral.advisor.structure.name == "France Services de Gramat"
