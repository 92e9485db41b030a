"""Right after sending, the slips come from the cache: a real Celery worker rendered both
variants (PDF and print page) into the cache the web processes share."""

import time

import pytest
from django.urls import reverse

from directory.enums import Service
from referrals.models import Referral
from slips import rendering
from slips.content import Variant
from slips.versions import slip_version
from tests.assessments.answers import validated_assessment
from tests.factories import AdvisorFactory, PersonFactory

from .conftest import pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.poppler, pytest.mark.django_db(transaction=True)]


def cached_slips(referral):
    """Which of the referral's slips, as the referral page offers them, are in the cache."""
    found = set()
    for variant in Variant.ALL:
        version = slip_version(referral.pk, variant)
        for kind in ("pdf", rendering.preview_kind(print_now=True)):
            if rendering.slip_cache().get(rendering.slip_key(referral.pk, version, kind)):
                found.add((variant, kind.split("-")[0]))
    return found


def wait_for_slips(referral, timeout=60):
    expected = {(variant, kind) for variant in Variant.ALL for kind in ("pdf", "html")}
    deadline = time.monotonic() + timeout
    while (found := cached_slips(referral)) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"slips in the cache after {timeout} s: {sorted(found)}")
        time.sleep(0.2)


def test_right_after_sending_both_variants_print_from_the_cache(client, celery_worker, monkeypatch):
    person = PersonFactory()
    validated_assessment(person)
    advisor = AdvisorFactory()
    client.force_login(person.created_by)
    client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": advisor.pk},
    )
    referral = Referral.objects.get()
    wait_for_slips(referral)

    def not_cached(pk):
        raise AssertionError("the slip was rendered by the web process, not read from the cache")

    monkeypatch.setattr(rendering, "_slip_referral", not_cached)  # what a miss reads first
    preview = reverse("referral_slip_preview", args=[referral.pk])
    pdf = reverse("referral_slip", args=[referral.pk])
    for variant in Variant.ALL:
        page = client.get(preview, {"variant": variant, "imprimer": "1"})
        assert page.status_code == 200
        html = page.content.decode()
        assert referral.code in html and "data-slip-autoprint" in html
        response = client.get(pdf, {"variant": variant})
        assert response["Content-Type"] == "application/pdf"
        assert referral.code in "".join(pdf_text(response.content))
