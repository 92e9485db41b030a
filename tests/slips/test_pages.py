"""The slip from the referral page, its preview and the API, with the same access rule."""

import base64
import hashlib
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from referrals.models import ReferralState
from tests.factories import AdvisorFactory, UserFactory, consented_referral

from .conftest import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.poppler]


def test_the_referral_page_offers_both_variants_to_print_and_download(client):
    referral = consented_referral()
    client.force_login(referral.referrer)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    preview = reverse("referral_slip_preview", args=[referral.pk])
    pdf = reverse("referral_slip", args=[referral.pk])
    assert f'href="{preview}?imprimer=1"' in page
    assert f'href="{preview}?variant=large&amp;imprimer=1"' in page
    assert f'href="{pdf}"' in page and f'href="{pdf}?variant=large"' in page
    assert "Télécharger la fiche de liaison (PDF)" in page


def test_the_print_page_is_the_slip_in_html_and_asks_the_browser_to_print(client):
    referral = consented_referral()
    client.force_login(referral.referrer)
    url = reverse("referral_slip_preview", args=[referral.pk])
    response = client.get(url, {"variant": "large", "imprimer": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert referral.code in html and "Imprimer cette fiche" in html
    assert "data-slip-autoprint" in html and "slips/print.js" in html
    assert "data-slip-autoprint" not in client.get(url).content.decode()
    # Its one inline stylesheet is allowed by its hash, and no other inline style.
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    style_src = next(
        part for part in response["Content-Security-Policy"].split(";") if "style-src" in part
    )
    assert style_src.split() == ["style-src", "'self'", f"'sha256-{digest}'"]


def test_the_page_serves_each_variant_as_a_pdf(client):
    referral = consented_referral()
    client.force_login(referral.advisor.user)
    url = reverse("referral_slip", args=[referral.pk])
    normal = client.get(url)
    large = client.get(url, {"variant": "large"})
    assert normal["Content-Type"] == large["Content-Type"] == "application/pdf"
    assert large["Content-Disposition"].endswith('-gros-caracteres.pdf"')
    assert len(PdfReader(io.BytesIO(large.content)).pages) > len(
        PdfReader(io.BytesIO(normal.content)).pages
    )
    assert normal["ETag"] != large["ETag"]
    assert client.get(url, {"variant": "huge"}).status_code == 400


def test_another_structures_referral_is_not_found_on_every_slip_url(client):
    referral = consented_referral()
    api = APIClient()
    for user in (UserFactory(), AdvisorFactory().user):  # another structure, another advisor
        client.force_login(user)
        for name in ("referral_slip", "referral_slip_preview"):
            assert client.get(reverse(name, args=[referral.pk])).status_code == 404
        api.force_authenticate(user)
        assert api.get(f"/api/v1/referrals/{referral.pk}/slip/").status_code == 404
    officer = UserFactory(officer=True)
    client.force_login(officer)
    assert client.get(reverse("referral_slip", args=[referral.pk])).status_code == 403
    api.force_authenticate(officer)
    response = api.get(f"/api/v1/referrals/{referral.pk}/slip/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_api_serves_the_large_variant_and_refuses_an_unknown_one():
    referral = consented_referral()
    api = APIClient()
    api.force_authenticate(referral.referrer)
    url = f"/api/v1/referrals/{referral.pk}/slip/"
    response = api.get(url, {"variant": "large"}, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert referral.code in "".join(pdf_text(response.content))
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 2
    error = api.get(url, {"variant": "huge"})
    assert error.status_code == 400 and error.json()["code"] == "invalid_variant"


def test_after_a_state_change_the_page_serves_the_new_slip(client):
    referral = consented_referral()
    client.force_login(referral.referrer)
    url = reverse("referral_slip", args=[referral.pk])
    before = client.get(url)
    referral.state = ReferralState.ACCEPTED
    referral.save()
    after = client.get(url)
    assert before["ETag"] != after["ETag"]
    assert "Le conseiller a accepté votre demande" in "".join(pdf_text(after.content))


def test_a_slip_that_takes_too_long_is_refused_with_a_message(client, settings):
    settings.PASIP_SLIP_TIME_LIMIT = 0.001
    referral = consented_referral()
    client.force_login(referral.referrer)
    response = client.get(reverse("referral_slip", args=[referral.pk]), follow=True)
    assert "pas pu être préparée à temps" in response.content.decode()
    api = APIClient()
    api.force_authenticate(referral.referrer)
    response = api.get(f"/api/v1/referrals/{referral.pk}/slip/")
    assert response.status_code == 503 and response.json()["code"] == "slip_timeout"
