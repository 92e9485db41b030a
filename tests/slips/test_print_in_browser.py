"""Right after sending, the social worker prints both variants from the referral page."""

import pytest
from pypdf import PdfReader

from tests.browser.chromium import log_in
from tests.factories import consented_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium has no print dialog: count the calls to window.print instead.
COUNT_PRINTS = "window.printed = 0; window.print = () => { window.printed += 1; };"


def test_both_variants_print_from_the_referral_page(page):
    referral = consented_referral()
    page.context.add_init_script(COUNT_PRINTS)
    log_in(page, referral.referrer)
    page.goto(f"/orientations/{referral.pk}/")

    for name, heading_size in (
        ("Imprimer la fiche (nouvel onglet)", "17pt"),
        ("Imprimer en gros caractères (nouvel onglet)", "24pt"),
    ):
        with page.context.expect_page() as new_tab:
            page.get_by_role("link", name=name).click()
        slip = new_tab.value
        slip.wait_for_load_state("load")
        assert slip.get_by_text(referral.code, exact=True).is_visible()
        assert slip.evaluate("window.printed") == 1  # the print dialog opened by itself
        font_size = slip.locator("h1").first.evaluate("h => getComputedStyle(h).fontSize")
        assert font_size == {"17pt": "22.6667px", "24pt": "32px"}[heading_size]
        slip.get_by_role("button", name="Imprimer cette fiche").click()
        assert slip.evaluate("window.printed") == 2
        slip.close()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la fiche en gros caractères (PDF)").click()
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) >= 2 and referral.code in pdf.pages[0].extract_text()
