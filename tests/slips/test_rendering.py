"""The slip rendered to PDF and read back, as a person and an advisor would read it."""

import html
import io
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import zxingcpp
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from directory.enums import Service
from people.models import Consent
from referrals.models import ReferralState
from slips import rendering
from slips.content import Variant
from slips.rendering import slip_html, slip_pdf
from tests.factories import consented_referral

from .conftest import SUMMARY, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.poppler]

PARIS = ZoneInfo("Europe/Paris")


def test_the_persons_page_has_code_advisor_address_needs_and_consent():
    referral = consented_referral()
    place = referral.advisor.places.get()
    _version, pdf = slip_pdf(referral)
    [page] = pdf_text(pdf)
    assert referral.code in page
    assert referral.advisor.user.get_full_name() in page
    assert referral.advisor.structure.name in page
    assert f"{place.address}, 46000 Cahors" in page
    # The need in plain words, in the second person (its category's name is the advisor's).
    assert "pour vous aider à : • faire vos démarches sur internet (CAF, impôts" in page
    assert "Une pièce d'identité" in page and "RIB" in page
    assert referral.referrer.get_full_name() in page
    assert "Vous avez accepté que votre nom et vos coordonnées soient transmis" in page
    assert "Vous n'avez pas accepté" not in page
    assert "(fiche signée)" in page
    assert "Vous pouvez retirer votre accord à tout moment" in page
    assert "CNIL" in page
    # The person's name is not printed: the code is enough to find the referral.
    assert referral.person.last_name not in page


def test_accents_and_french_quotes_render_as_text(caplog):
    referral = consented_referral()
    _version, pdf = slip_pdf(referral)
    slip_pdf(referral, variant=Variant.LARGE)  # and its pictograms
    assert ".notdef" not in caplog.text  # every character has its glyph in the shipped fonts
    text = "".join(pdf_text(pdf))
    assert "« diagnostic »" in text
    assert "À apporter au rendez-vous" in text
    assert "Votre téléphone portable et son chargeur" in text
    assert "démarches" in text and "éditée" in text


def test_the_pdf_is_tagged_titled_in_french_with_embedded_fonts():
    referral = consented_referral()
    reader = PdfReader(io.BytesIO(slip_pdf(referral)[1]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == f"Fiche de liaison {referral.code} — PASIP numérique"
    fonts = {
        font["/BaseFont"].split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Slip-Sans", "Slip-Sans-Bold"}


def test_the_assessment_page_is_absent_without_consent(profile):
    referral = consented_referral(share_assessment=False, profile=profile)
    pages = pdf_text(slip_pdf(referral)[1])
    assert len(pages) == 1
    text = "".join(pages)
    assert "Pour le conseiller numérique" not in text
    assert "déclarer ses revenus" not in text
    assert "Vous n'avez pas accepté que le détail de vos besoins soit transmis" in text


def test_a_need_unticked_for_this_referral_is_not_on_the_slip(profile):
    """The social worker kept only the procedures for this referral: the slip helps with
    those, on the person's page and the advisor's, though the assessment found more."""
    referral = consented_referral(profile=profile)
    referral.needs = [Service.ADMIN_PROCEDURES.value]
    referral.save(update_fields=["needs"])
    person_page, advisor_page = pdf_text(slip_pdf(referral)[1])
    assert "faire vos démarches sur internet" in person_page
    assert "utiliser votre téléphone, votre ordinateur, vos courriels" not in person_page
    assert Service.ADMIN_PROCEDURES.value in advisor_page
    assert Service.EVERYDAY_TOOLS.value not in advisor_page


def test_with_consent_the_advisor_reads_the_summary_and_constraints_on_a_second_page(profile):
    referral = consented_referral(profile=profile)
    referral.needs = [need["category"] for need in profile["needs"]]  # all of them, as sent
    referral.save(update_fields=["needs"])
    person_page, advisor_page = pdf_text(slip_pdf(referral)[1])
    # The needs in plain words, said to the person; the summary in the third person is the
    # advisor's only.
    assert "faire vos démarches sur internet" in person_page
    assert "utiliser votre téléphone, votre ordinateur, vos courriels." in person_page
    assert "déclarer ses revenus" not in person_page
    assert "Pour le conseiller numérique" in advisor_page
    assert SUMMARY in advisor_page
    for line in (
        "Accompagnement : Faire avec la personne",
        "Urgent",
        "À faire avant le 15/12/2026",
        "Se déplace jusqu'à 15 km",
        "Prend le bus",
        "Accepte un accompagnement par téléphone",
        "Langues : français, arabe",
        "Disponible : mardi matin, jeudi après-midi",
    ):
        assert line in advisor_page
    assert "A une voiture" not in advisor_page


def test_a_revoked_consent_removes_the_assessment_page(profile):
    referral = consented_referral(profile=profile)
    assert len(pdf_text(slip_pdf(referral)[1])) == 2
    Consent.objects.filter(person=referral.person).update(revoked_at=datetime.now(PARIS))
    [page] = pdf_text(slip_pdf(referral)[1])
    assert "Aucun accord en cours" in page


def test_the_large_print_variant_is_longer_with_pictograms():
    referral = consented_referral()
    normal = pdf_text(slip_pdf(referral, variant=Variant.NORMAL)[1])
    large = pdf_text(slip_pdf(referral, variant=Variant.LARGE)[1])
    assert len(large) > len(normal)
    large_text = "".join(large)
    assert referral.code in large_text
    assert "☎" in large_text or "⌂" in large_text
    assert "✔ faire vos démarches sur internet" in large_text


def word_positions(pdf):
    """(word, left edge in points) of each word, page after page in reading order, as poppler
    reads them."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        (html.unescape(word), float(left))
        for left, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox)
    ]


def test_in_large_print_a_need_s_plain_words_line_up_under_its_label():
    """The pictogram hangs in the margin; the need's plain words and their continuation on the
    next line start at one left edge (a reader who follows the edge loses no line)."""
    referral = consented_referral()  # administrative procedures: their plain words wrap
    pdf = slip_pdf(referral, variant=Variant.LARGE)[1]
    words = word_positions(pdf)
    first = [index for index, (word, _left) in enumerate(words) if word == "✔"][0]
    item = words[first + 1 : first + 1 + len(words_of_need())]
    assert [word for word, _left in item] == words_of_need()
    lines = line_starts(pdf, [word for word, _left in item])
    assert len(lines) >= 2  # the plain words wrap
    assert all(abs(left - lines[0]) < 0.5 for left in lines)
    assert words[first][1] < lines[0]  # the pictogram before the edge


NEED_WORDS = "faire vos démarches sur internet (CAF, impôts, santé, retraite…)."


def words_of_need():
    return NEED_WORDS.split(" ")


def line_starts(pdf, item_words):
    """The left edge of each line the need's words are printed on."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox)
    words = [(html.unescape(word), float(left), float(top)) for left, top, word in found]
    for index in range(len(words)):
        if [w for w, _l, _t in words[index : index + len(item_words)]] == item_words:
            starts = {}
            for _word, left, top in words[index : index + len(item_words)]:
                starts.setdefault(round(top), left)
            return list(starts.values())
    raise AssertionError("the need's words are not printed")


@time_machine.travel(datetime(2026, 12, 21, 10, tzinfo=PARIS), tick=False)
def test_the_next_permanences_are_printed_with_their_dates():
    referral = consented_referral()  # a permanence on Tuesdays, 9 h to 12 h
    [page] = pdf_text(slip_pdf(referral)[1])
    assert "Le mardi 22 décembre, de 9 h 00 à 12 h 00" in page
    assert "Le mardi 29 décembre" in page


@time_machine.travel(datetime(2026, 12, 21, 10, tzinfo=PARIS), tick=False)
def test_an_appointment_replaces_the_permanences():
    referral = consented_referral()
    referral.appointment_at = datetime(2026, 12, 23, 14, 30, tzinfo=PARIS)
    referral.save()
    [page] = pdf_text(slip_pdf(referral)[1])
    assert "Votre rendez-vous" in page
    assert "Le mercredi 23 décembre 2026 à 14 h 30" in page
    assert "Prochaines permanences" not in page


def test_page_one_renders_to_an_image_for_review(tmp_path):
    referral = consented_referral()
    pdf_path = tmp_path / "fiche.pdf"
    pdf_path.write_bytes(slip_pdf(referral, variant=Variant.LARGE)[1])
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf_path,
            tmp_path / "page1",
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page1.png").convert("L")
    assert image.size == (662, 936)  # A4 at 80 dpi
    dark = sum(1 for value in image.get_flattened_data() if value < 128)
    assert 0.02 < dark / (image.size[0] * image.size[1]) < 0.5  # text and QR code, not blank
    # Kept for a reviewer to look at (var/ is not in the repository).
    artefacts = Path(settings.VAR_DIR) / "test-artefacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "page1.png", artefacts / "slip-large-page1.png")


@pytest.mark.parametrize("variant", Variant.ALL)
def test_the_printed_qr_code_reads_back_as_the_code_and_nothing_else(tmp_path, variant):
    referral = consented_referral()
    pdf_path = tmp_path / "fiche.pdf"
    pdf_path.write_bytes(slip_pdf(referral, variant=variant)[1])
    command = ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([*command, pdf_path, tmp_path / "page1"], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page1.png").convert("L"))
    assert [(code.format, code.text) for code in found] == [
        (zxingcpp.BarcodeFormat.QRCode, referral.code)
    ]


def test_the_cache_serves_the_same_version_and_a_state_change_makes_a_new_one(monkeypatch):
    referral = consented_referral()
    renders = []
    real_render = rendering.render_pdf
    monkeypatch.setattr(
        rendering, "render_pdf", lambda *args: renders.append(1) or real_render(*args)
    )

    first_version, first_pdf = slip_pdf(referral)
    assert slip_pdf(referral) == (first_version, first_pdf)
    assert len(renders) == 1

    referral.state = ReferralState.ACCEPTED
    referral.save()
    version, pdf = slip_pdf(referral)
    assert len(renders) == 2 and version != first_version
    assert "Le conseiller a accepté votre demande" in "".join(pdf_text(pdf))
    assert "Il va vous contacter" not in "".join(pdf_text(pdf))


def test_a_consent_change_or_a_new_appointment_makes_a_new_version():
    referral = consented_referral()
    versions = {slip_pdf(referral)[0]}
    consent = referral.person.active_consent
    consent.share_assessment = False
    consent.save()
    versions.add(slip_pdf(referral)[0])
    referral.appointment_at = datetime(2027, 1, 5, 9, tzinfo=PARIS)
    referral.save()
    versions.add(slip_pdf(referral)[0])
    assert len(versions) == 3
    # Each variant is a version of its own.
    assert slip_pdf(referral, variant=Variant.LARGE)[0] not in versions


def test_the_html_preview_is_made_from_the_same_template():
    referral = consented_referral()
    html = slip_html(referral, preview=True, print_now=True)
    assert referral.code in html and referral.advisor.user.get_full_name() in html
    assert "/static/slips/print.js" in html and "data-slip-autoprint" in html
    assert "<script>" not in html  # no inline script
    assert "file://" not in html  # the browser gets the fonts from the static files
    assert "<style>" in html
    # The PDF's HTML carries no style: the one stylesheet, parsed once per process, applies.
    assert "<style>" not in slip_html(referral)


def test_a_change_in_the_directory_is_never_served_stale():
    referral = consented_referral()
    version, _pdf = slip_pdf(referral)
    structure = referral.advisor.structure
    structure.phone = "05 65 00 00 01"
    structure.save()
    new_version, pdf = slip_pdf(referral)
    assert new_version != version
    assert "05 65 00 00 01" in "".join(pdf_text(pdf))
