"""The brief's most common person, end to end in Chromium, on the demo directory: born 1951,
lives in Gramat, a landline only, no computer, help wanted with her CAF, ameli and impôts
accounts, free only in the mornings. A social worker on a tablet registers her, walks the
assessment, steers the referral (one need unticked, an advisor picked in the directory with
the reason), the advisor accepts and moves the appointment, and the slip speaks to her."""

import subprocess
from datetime import datetime, timedelta
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from assessments.services import questionnaire_load_file
from directory.enums import Service
from people.models import Person
from referrals.models import Referral
from slips.wording import plain_need
from tests.assessments.answers import assessment_through_browser
from tests.browser.chromium import chromium_page, log_in, log_out
from tests.directory.test_matching_persona import PERSONA
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"viewport": {"width": 800, "height": 1280}, "has_touch": True, "is_mobile": True}
# What she comes for first: her accounts (CAF, ameli, impôts); free on Tuesday and Thursday
# mornings only; no computer, no smartphone, face to face only.
ANSWERS = {**PERSONA, "main_needs": [Service.ADMIN_PROCEDURES.value]}
SLIP_IS_PERSONS = "Pour le conseiller numérique"  # the advisor's page starts so


def assert_accessible(page, where):
    """axe-core: no serious or critical violation on the page."""
    violations = Axe().run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{where}: {serious}"


def assert_fits(page, where):
    """Nothing wider than the tablet: no horizontal scroll."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["viewport"]["width"], f"{where}: {width} px wide"


def next_weekday(weekday, after_days):
    """The first `weekday` (0 = Monday) at least `after_days` from today, at 10:00 local."""
    day = timezone.localdate() + timedelta(days=after_days)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def slip_pages(path):
    """The slip's pages as pdftotext reads them, whitespace collapsed."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    pages = text.stdout.decode().split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


def test_the_everyday_case_from_registration_to_the_slip(live_server, territory):
    questionnaire_load_file()  # the flush of an earlier transactional test removed it
    call_command("load_demo", stdout=StringIO())
    social_worker = User.objects.get(username="travailleur.social")
    advisor_user = User.objects.get(username="conseiller")  # Camille Delpech, in Cahors
    for user in (social_worker, advisor_user):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])

    with chromium_page(live_server.url, accept_downloads=True, **TABLET) as page:
        # 1. She is registered with her landline, her consent given orally.
        log_in(page, social_worker)
        page.get_by_role("link", name="Nouvelle personne", exact=True).click()
        assert_fits(page, "nouvelle personne")
        page.get_by_label("Prénom").fill("Marcelle")
        page.get_by_label("Nom", exact=True).fill("Bouysset")
        page.get_by_label("Année de naissance").fill("1951")
        page.get_by_label("Commune de résidence").fill("Gramat (46500)")
        page.get_by_label("Téléphone").fill("05 65 33 22 11")
        page.get_by_label("Moyen de contact préféré").select_option(label="Téléphone")
        page.get_by_label("La personne accepte que son identité").check()
        page.get_by_label("La personne accepte que le détail de ses besoins").check()
        page.get_by_label("Consentement recueilli").select_option(label="Oral, en entretien")
        page.get_by_role("button", name="Enregistrer et choisir les besoins").click()
        # A new person: no probable-duplicate warning, straight to her assessment.
        assert page.locator("#duplicate-warning").count() == 0
        assert page.get_by_role("button", name="Commencer le diagnostic").is_visible()
        person = Person.objects.get(last_name="Bouysset")
        assert person.active_consent is not None and person.phone == "05 65 33 22 11"

        # 2. The assessment, answered as she would; her needs, each to keep or not.
        assessment_through_browser(page, ANSWERS)
        assert page.get_by_text("Diagnostic validé le").is_visible()
        assert_accessible(page, "besoins")
        assert_fits(page, "besoins")
        boxes = page.get_by_role("main").get_by_role("checkbox")
        needs = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
        assert needs[0] == Service.ADMIN_PROCEDURES.value and len(needs) >= 2
        page.get_by_role("button", name="Voir les conseillers").click()

        # 3. Suggestions: France Services de Gramat among them, each saying what it does not
        # cover and when she can go; nothing chosen for her.
        suggested = page.locator("ol.suggestions > li")
        texts = [suggested.nth(i).inner_text() for i in range(suggested.count())]
        assert sum("France Services de Gramat" in text for text in texts) == 2
        assert all("ne couvre pas : " in text for text in texts)
        assert any("matin, quand la personne est disponible" in text for text in texts)
        assert page.locator('input[name="advisor"]:checked').count() == 0
        assert_accessible(page, "suggestions")
        assert_fits(page, "suggestions")

        # 4. For this referral, the last need unticked; the suggestions ranked on the others.
        dropped = needs[-1]
        page.get_by_role("button", name="Modifier les besoins").click()
        page.get_by_role("main").locator(f'input[value="{dropped}"]').uncheck()
        page.get_by_role("button", name="Voir les conseillers").click()
        heading_line = page.get_by_text("pour :", exact=False).first.inner_text()
        assert needs[0] in heading_line and dropped not in heading_line

        # 5. The directory, from the suggestions page: her daughter takes her to Cahors.
        page.get_by_role("link", name="Choisir un autre conseiller dans l'annuaire").click()
        page.get_by_label("Nom du conseiller ou de sa structure").fill("Delpech")
        page.get_by_role("button", name="Rechercher").click()
        assert_accessible(page, "annuaire")
        assert_fits(page, "annuaire")
        page.get_by_role("button", name="Choisir Camille Delpech").click()
        assert_accessible(page, "choix hors suggestions")
        assert_fits(page, "choix hors suggestions")
        reason = "Sa fille la conduit à Cahors le jeudi matin."
        page.get_by_label("Pourquoi ce conseiller", exact=False).fill(reason)
        page.get_by_role("button", name="Envoyer l'orientation").click()
        referral = Referral.objects.get(person=person)
        assert page.get_by_text(f"Orientation {referral.code} envoyée").is_visible()
        assert (referral.advisor.user, referral.chosen_outside) == (advisor_user, True)
        assert referral.outside_reason == reason and dropped not in referral.needs
        assert page.get_by_text(reason).is_visible()  # "Choisi hors des suggestions"
        # Her landline: no SMS, said on the page.
        told = page.locator("#person-told").inner_text()
        assert told == "La personne ne sera pas prévenue : son numéro n'est pas un mobile."
        log_out(page)

        # 6. The advisor finds it in the inbox and accepts, with an appointment on a Tuesday
        # morning; then moves it to the Thursday, after a date in the past is refused.
        log_in(page, advisor_user)
        page.get_by_role("link", name=referral.code).click()
        assert "son numéro n'est pas un mobile" in page.get_by_role("main").inner_text()
        first = next_weekday(1, after_days=3)
        page.get_by_label("Rendez-vous proposé").fill(first.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Lieu du rendez-vous").first.select_option(index=1)
        page.get_by_role("button", name="Accepter l'orientation").click()
        section = page.locator("#rendez-vous")
        assert f"Prévu le {first:%d/%m/%Y} à 10:00" in section.inner_text()
        assert "son numéro n'est pas un mobile" in section.inner_text()
        assert_accessible(page, "rendez-vous")
        assert_fits(page, "rendez-vous")
        past = timezone.localtime() - timedelta(days=1)
        section.get_by_label("Date et heure du rendez-vous").fill(past.strftime("%Y-%m-%dT%H:%M"))
        section.get_by_role("button", name="Déplacer le rendez-vous").click()
        section = page.locator("#rendez-vous")
        assert section.get_by_text(
            "La date du rendez-vous est passée : choisissez une date et une heure à venir."
        ).is_visible()
        later = first + timedelta(days=2)  # the Thursday
        section.get_by_label("Date et heure du rendez-vous").fill(later.strftime("%Y-%m-%dT%H:%M"))
        section.get_by_role("button", name="Déplacer le rendez-vous").click()
        assert page.locator(".message.success").inner_text().startswith("Rendez-vous déplacé.")
        assert f"Prévu le {later:%d/%m/%Y} à 10:00" in page.locator("#rendez-vous").inner_text()
        log_out(page)

        # 7. The social worker prints the slip: it speaks to her, with the moved appointment.
        log_in(page, social_worker)
        page.get_by_role("link", name="Orientations", exact=True).click()
        page.get_by_role("link", name=referral.code).click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger la fiche de liaison (PDF)").click()
        pages = slip_pages(download.value.path())
        hers = " ".join(p for p in pages if not p.startswith(SLIP_IS_PERSONS))
        assert "Nous vous orientons vers" in hers and " vous " in hers
        said = date_format(timezone.localtime(later), "l j F Y à G \\h i")  # jeudi 10 décembre…
        assert "Camille Delpech" in hers and f"Votre rendez-vous Le {said}" in hers
        assert date_format(timezone.localtime(first), "j F Y") not in hers
        assert "la personne" not in hers.lower()
        assert str(plain_need(dropped)) not in hers  # the need unticked for this referral
