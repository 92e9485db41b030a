"""The person's page speaks to the person ("vous", plain words) and fits one A4 page in the
common case; in large print no page holds only a few lines. Read back with poppler."""

import re
import subprocess

import pytest

from directory.enums import Service
from slips.content import Variant, person_lines
from slips.rendering import slip_pdf
from tests.factories import consented_referral

from .conftest import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.poppler]

# The brief's most common person: born 1951, in Gramat, no computer, CAF / ameli / impôts
# accounts to open, free in the mornings, helped by phone too; the advisor holds permanences
# on Tuesday and Thursday mornings.
COMMON_PROFILE = {
    "needs": [
        {"category": Service.ADMIN_PROCEDURES.value, "priority": 1},
        {"category": Service.EVERYDAY_TOOLS.value, "priority": 2},
        {"category": Service.SAFETY.value, "priority": 3},
    ],
    "support_mode": "apprendre",
    "urgent": True,
    "due_date": "2026-12-15",
    "constraints": {
        "max_travel_km": 15,
        "has_car": False,
        "uses_bus": True,
        "home_visit": False,
        "remote_phone": True,
        "remote_video": False,
        "languages": ["fr"],
        "french_level": "fluent",
        "specific_needs": [],
        "half_days": ["tu-am", "th-am"],
    },
    "summary": (
        "Besoin d'aide pour faire ses démarches en ligne. Elle peut se déplacer jusqu'à 15 km "
        "en bus. Disponible le mardi matin et jeudi matin."
    ),
}
THIRD_PERSON = ("la personne", " elle ", "Elle ", "ses démarches", "Besoin d'aide pour", "Souhaite")


def common_referral(*, share_assessment=True):
    referral = consented_referral(
        profile=COMMON_PROFILE, weekdays=(1, 3), share_assessment=share_assessment
    )
    referral.needs = [need["category"] for need in COMMON_PROFILE["needs"]]
    referral.save()
    return referral


def person_pages(pages):
    """The pages before the advisor's ("Pour le conseiller numérique")."""
    return [page for page in pages if not page.startswith("Pour le conseiller numérique")]


def fill(pdf):
    """How far down each page its text goes, as a share of the page (the footer left out)."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    shares = []
    for height, body in re.findall(
        r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', bbox, re.S
    ):
        bottom_margin = 16 / 25.4 * 72  # the footer's margin (slip.css)
        tops = [float(y) for y in re.findall(r'yMax="([\d.]+)"', body)]
        shares.append(max(y for y in tops if y < float(height) - bottom_margin) / float(height))
    return shares


@pytest.mark.parametrize("variant", Variant.ALL)
def test_the_persons_page_says_vous_in_plain_grammatical_french(variant):
    referral = common_referral()
    pages = pdf_text(slip_pdf(referral, variant=variant)[1])
    text = " ".join(person_pages(pages))
    advisor, structure = str(referral.advisor), referral.advisor.structure.name
    assert (
        f"Nous vous orientons vers un conseiller numérique, {advisor} ({structure}), "
        "pour vous aider à :" in text
    )
    for need in (
        "faire vos démarches sur internet (CAF, impôts, santé, retraite…) ;",
        "utiliser votre téléphone, votre ordinateur, vos courriels ;",
        "vous protéger des arnaques et garder vos comptes en sécurité.",
    ):
        assert need in text
    assert "Votre conseiller vous apprendra à faire vous-même, pas à pas." in text
    assert "C'est urgent : votre démarche est à faire avant le 15/12/2026." in text
    assert "Votre conseiller peut aussi vous aider par téléphone." in text
    assert "Vous nous avez dit être disponible le mardi matin et le jeudi matin." in text
    assert "Venez à l'une de ses permanences, sans rendez-vous, ou appelez avant" in text
    assert "Vous avez donné votre accord le" in text
    for words in THIRD_PERSON:
        assert words not in text, words
    # The advisor's page keeps the assessment's summary, about the person.
    assert "Pour le conseiller numérique" in pages[-1]
    assert "la personne" in pages[-1] and "Elle peut se déplacer" in pages[-1]


def test_the_common_case_fits_one_page_and_the_advisors_page_stays_apart():
    referral = common_referral()
    pages = pdf_text(slip_pdf(referral)[1])
    assert len(pages) == 2
    assert person_pages(pages) == pages[:1]
    assert "Vos droits" in pages[0] and "Fiche éditée le" in pages[0]
    assert pages[1].startswith("Pour le conseiller numérique")
    # Without the assessment shared, the person's page alone.
    [page] = pdf_text(slip_pdf(common_referral(share_assessment=False))[1])
    assert "Vos droits" in page


@pytest.mark.parametrize("share_assessment", [True, False], ids=["shared", "not-shared"])
def test_in_large_print_no_page_holds_only_a_few_lines(share_assessment):
    referral = common_referral(share_assessment=share_assessment)
    pdf = slip_pdf(referral, variant=Variant.LARGE)[1]
    pages = pdf_text(pdf)
    assert len(person_pages(pages)) == 3
    shares = fill(pdf)
    assert len(shares) == len(pages)
    assert min(shares) > 1 / 3, shares  # each page at least a third full
    # Consent and rights are never split: they end the person's part together.
    last = person_pages(pages)[-1]
    assert "Ce que vous avez accepté" in last and "Vos droits" in last


def test_what_the_assessment_says_is_told_to_the_person():
    assert person_lines({}) == []
    lines = person_lines(
        {
            "support_mode": "faire_pour",
            "urgent": True,
            "constraints": {
                "home_visit": True,
                "remote_phone": True,
                "remote_video": True,
                "half_days": ["mo-pm"],
            },
        }
    )
    assert lines == [
        "Si vous le souhaitez, votre conseiller pourra faire les démarches à votre place, "
        "avec votre accord.",
        "C'est urgent : dites-le à votre conseiller dès le premier contact.",
        "Vous avez demandé un rendez-vous chez vous.",
        "Votre conseiller peut aussi vous aider par téléphone ou en visio.",
        "Vous nous avez dit être disponible le lundi après-midi.",
    ]


def test_a_closed_referrals_slip_tells_the_person_what_to_do():
    referral = consented_referral(cancelled=True)
    [page] = pdf_text(slip_pdf(referral.pk)[1])
    assert "Votre orientation est close (annulée)" in page
    assert "demandez une nouvelle fiche à votre travailleur social" in page
