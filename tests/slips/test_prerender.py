"""Right after sending, and again after every change while the referral is open (the advisor
accepts with an appointment, the first meeting, a new consent), the slips come from the cache: a
real Celery worker rendered both variants (PDF and print page) into the cache the web processes
share."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.enums import Service
from people.models import Consent
from people.services import consent_record
from referrals.models import Referral, ReferralState
from slips import rendering
from slips.content import Variant
from slips.versions import slip_version
from tests.assessments.answers import validated_assessment
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory

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


def sent_from_the_page(client):
    """A referral sent by a social worker from the sending page, as they do it (logged in)."""
    person = PersonFactory()
    validated_assessment(person)
    advisor = AdvisorFactory(place_commune="46128")  # in Gramat: suggested
    client.force_login(person.created_by)
    client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": advisor.pk},
    )
    return Referral.objects.get()


def test_right_after_sending_both_variants_print_from_the_cache(client, celery_worker, monkeypatch):
    referral = sent_from_the_page(client)
    wait_for_slips(referral)
    printed = print_both_variants_from_the_cache(client, referral, monkeypatch)
    assert all(referral.code in text for text in printed)


def test_after_the_advisor_accepts_with_an_appointment_the_new_slips_print_from_the_cache(
    client, celery_worker, monkeypatch
):
    referral = sent_from_the_page(client)
    wait_for_slips(referral)
    sent_version = slip_version(referral.pk, Variant.NORMAL)

    advisor = referral.advisor
    client.force_login(advisor.user)
    appointment = timezone.localtime() + timedelta(days=3)
    response = client.post(
        reverse("referral_accept", args=[referral.pk]),
        {
            "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
            "appointment_place": advisor.places.get().pk,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    assert slip_version(referral.pk, Variant.NORMAL) != sent_version  # a new slip to print
    wait_for_slips(referral)

    client.force_login(referral.referrer)  # the social worker prints it for the person
    printed = print_both_variants_from_the_cache(client, referral, monkeypatch)
    assert all("Votre rendez-vous" in text for text in printed)


def test_a_new_consent_renders_again_the_slips_of_the_person_s_open_referrals(celery_worker):
    referral = ReferralFactory()  # made directly, not sent: no slip rendered yet
    assert cached_slips(referral) == set()
    consent_record(
        user=referral.referrer,
        person=referral.person,
        share_identity=True,
        share_assessment=False,
        method=Consent.Method.SIGNED,
    )
    wait_for_slips(referral)


def print_both_variants_from_the_cache(client, referral, monkeypatch):
    """Opens the print page and the PDF of both variants, as the referral page offers them;
    fails if the web process renders any. Returns the PDFs' text."""

    def not_cached(pk):
        raise AssertionError("the slip was rendered by the web process, not read from the cache")

    monkeypatch.setattr(rendering, "_slip_referral", not_cached)  # what a miss reads first
    preview = reverse("referral_slip_preview", args=[referral.pk])
    pdf = reverse("referral_slip", args=[referral.pk])
    texts = []
    for variant in Variant.ALL:
        page = client.get(preview, {"variant": variant, "imprimer": "1"})
        assert page.status_code == 200
        html = page.content.decode()
        assert referral.code in html and "data-slip-autoprint" in html
        response = client.get(pdf, {"variant": variant})
        assert response["Content-Type"] == "application/pdf"
        texts.append(" ".join(pdf_text(response.content)))
    monkeypatch.undo()
    return texts
