"""Irreversible actions ask first: erasing a person, withdrawing consent, cancelling a referral.

GET shows what will happen, and changes nothing; the POST, with its CSRF token, does it. The
person's and the referral's pages lead to these pages with a plain button (no JavaScript)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from notifications.models import PersonMessage
from people.models import ContactChannel, Person, PersonAccess
from referrals.models import Referral, ReferralState
from referrals.services import referral_accept
from tests.factories import PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def person_with_two_open_referrals():
    """One referral sent, one accepted with an appointment (its confirmation and reminder
    wait to be sent by SMS), one already closed."""
    person = PersonFactory(preferred_channel=ContactChannel.PHONE)
    sent = ReferralFactory(person=person, code="LOT-ABC123")
    accepted = ReferralFactory(person=person, code="LOT-DEF456")
    appointment = timezone.localtime(timezone.now() + timedelta(days=7)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    referral_accept(user=accepted.advisor.user, referral=accepted, appointment_at=appointment)
    closed = ReferralFactory(person=person, code="LOT-OLD789", cancelled=True)
    assert PersonMessage.objects.filter(
        referral=accepted, status=PersonMessage.Status.PENDING
    ).count()
    return person, sent, accepted, closed, appointment


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_of(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def get_form_to(page, url):
    """The plain GET form (a button, no script) that leads to `url` on `page`."""
    return re.search(rf'<form method="get" action="{re.escape(url)}">.*?<button', page, re.S)


def test_the_persons_page_leads_to_confirmation_pages_not_to_the_actions(client):
    person = PersonFactory()
    client.force_login(person.created_by)
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    for name in ("person_erase", "consent_revoke"):
        url = reverse(name, args=[person.pk])
        assert get_form_to(page, url), name
        assert f'method="post" action="{url}"' not in page


def test_erasure_says_exactly_what_will_happen_and_changes_nothing_until_confirmed(
    person_with_two_open_referrals,
):
    person, sent, accepted, closed, appointment = person_with_two_open_referrals
    client = csrf_client(person.created_by)
    url = reverse("person_erase", args=[person.pk])

    page = client.get(url).content.decode()

    assert "2 orientations en cours seront annulées" in page
    assert "LOT-ABC123</strong> (envoyée)" in page
    assert "LOT-DEF456</strong> (acceptée)" in page
    assert "LOT-OLD789" not in page  # already closed: nothing happens to it
    assert "Les messages prévus pour la personne ne seront pas envoyés" in page
    assert "rappel la veille du rendez-vous par SMS" in page
    assert f"rendez-vous du {appointment:%d/%m/%Y} à 14 h 30" in page
    assert "Les données personnelles seront effacées définitivement" in page
    assert "Les statistiques anonymes restent" in page
    assert "définitif" in page
    person.refresh_from_db()
    assert person.erased_at is None and person.last_name
    assert Referral.objects.open().filter(person=person).count() == 2

    assert client.post(url).status_code == 403  # no CSRF token, nothing done
    person.refresh_from_db()
    assert person.erased_at is None

    response = client.post(url, {"csrfmiddlewaretoken": token_of(page)})
    assert response.status_code == 302 and response.url == reverse("person_list")
    person.refresh_from_db()
    assert person.erased_at is not None and person.last_name == ""
    assert not Referral.objects.open().filter(person=person).exists()
    assert not PersonMessage.objects.filter(
        person=person, status=PersonMessage.Status.PENDING
    ).exists()


def test_consent_withdrawal_says_which_referrals_it_cancels_then_does_it_on_post(
    person_with_two_open_referrals,
):
    person, sent, accepted, closed, appointment = person_with_two_open_referrals
    client = csrf_client(person.created_by)
    url = reverse("consent_revoke", args=[person.pk])

    page = client.get(url).content.decode()

    assert "Retirer le consentement de" in page
    assert "2 orientations en cours seront annulées" in page
    assert "LOT-ABC123</strong> (envoyée)" in page and "LOT-DEF456</strong> (acceptée)" in page
    assert "ne seront pas envoyés" in page
    assert "il faudra recueillir un nouveau consentement" in page
    assert person.active_consent is not None
    assert Referral.objects.open().filter(person=person).count() == 2

    client.post(url, {"csrfmiddlewaretoken": token_of(page)})
    person = Person.objects.get(pk=person.pk)
    assert person.active_consent is None
    assert set(Referral.objects.filter(person=person).values_list("state", flat=True)) == {
        ReferralState.CANCELLED
    }
    # Asked again with nothing to withdraw: a plain message, back on the person's page.
    response = client.get(url, follow=True)
    assert "Aucun consentement en cours" in response.content.decode()


def test_with_no_open_referral_the_confirmation_says_none_will_be_cancelled(client):
    person = PersonFactory()
    client.force_login(person.created_by)
    page = client.get(reverse("person_erase", args=[person.pk])).content.decode()
    assert "Aucune orientation en cours : aucune ne sera annulée." in page


def test_cancelling_a_referral_asks_for_the_reason_on_a_confirmation_page(
    person_with_two_open_referrals,
):
    person, sent, accepted, closed, appointment = person_with_two_open_referrals
    client = csrf_client(person.created_by)
    detail = client.get(reverse("referral_detail", args=[accepted.pk])).content.decode()
    url = reverse("referral_cancel", args=[accepted.pk])
    assert get_form_to(detail, url)
    assert f'method="post" action="{url}"' not in detail

    page = client.get(url).content.decode()
    assert "1 orientation en cours sera annulée" in page
    assert "LOT-DEF456</strong> (acceptée)" in page and "LOT-ABC123" not in page
    assert "le conseiller est prévenu" in page
    assert "confirmation du rendez-vous par SMS" in page
    assert 'name="reason"' in page and 'method="post"' in page
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.ACCEPTED

    # "Autre" without a word: refused on the same page, with what was typed kept.
    response = client.post(
        url, {"csrfmiddlewaretoken": token_of(page), "reason": "other", "detail": "  "}
    )
    assert response.status_code == 200
    again = response.content.decode()
    assert "Précisez le motif" in again and '<option value="other" selected>' in again
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.ACCEPTED

    client.post(url, {"csrfmiddlewaretoken": token_of(page), "reason": "need_resolved"})
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.CANCELLED
    assert not PersonMessage.objects.filter(
        referral=accepted, status=PersonMessage.Status.PENDING
    ).exists()
    # Closed now: the confirmation page is no longer offered.
    response = client.get(url, follow=True)
    assert "ne peut plus être annulée" in response.content.decode()


def test_the_confirmation_pages_are_the_referring_structures_only(client):
    referral = ReferralFactory()
    person = referral.person
    client.force_login(UserFactory())  # another structure's social worker
    for url in (
        reverse("person_erase", args=[person.pk]),
        reverse("consent_revoke", args=[person.pk]),
        reverse("referral_cancel", args=[referral.pk]),
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(referral.advisor.user)
    assert client.get(reverse("referral_cancel", args=[referral.pk])).status_code == 403
    assert client.get(reverse("person_erase", args=[person.pk])).status_code == 403


def test_opening_a_confirmation_page_is_logged_without_personal_data_in_the_url(client):
    person = PersonFactory()
    client.force_login(person.created_by)
    url = reverse("person_erase", args=[person.pk])
    client.get(url)
    assert PersonAccess.objects.filter(person=person, where=url).count() == 1
    assert person.last_name not in url and str(person.birth_year) not in url


def test_after_erasure_the_assessment_summary_holds_nothing_personal_and_cannot_be_corrected(
    client,
):
    from rest_framework.test import APIClient

    from tests.assessments.answers import assessment_through_pages

    person = PersonFactory()
    client.force_login(person.created_by)
    assessment = assessment_through_pages(client, person)
    ReferralFactory(person=person, assessment=assessment)  # sent with it: frozen
    summary_url = reverse("assessment_summary", args=[assessment.pk])
    before = client.get(summary_url).content.decode()
    assert "Corriger le diagnostic" in before
    profile = Assessment.objects.get(pk=assessment.pk).profile
    personal = [
        person.first_name,
        person.last_name,
        profile["summary"].replace("'", "&#x27;")[:40],
        "mardi matin",  # availability
        "15 km",  # travel
        "Déficience visuelle",  # a specific need
        "Son compte sur la CAF",  # a question answered
    ]
    for text in personal:
        assert text in before or text in profile["summary"], text

    client.post(reverse("person_erase", args=[person.pk]))

    page = client.get(summary_url).content.decode()
    for text in personal:
        assert text not in page, text
    assert "Corriger le diagnostic" not in page
    assert "Aide aux démarches administratives" in page  # the anonymous needs stay
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.answers == {}
    assert set(stored.profile) == {"needs", "support_mode"}
    assert "Déficience" not in str(stored.profile) and "tu-am" not in str(stored.profile)

    # The correction is refused, page and API alike, and makes no new version.
    response = client.post(reverse("assessment_correct", args=[assessment.pk]), follow=True)
    assert "ne peut plus être corrigé" in response.content.decode()
    api = APIClient()
    api.force_authenticate(person.created_by)
    response = api.post(f"/api/v1/assessments/{assessment.pk}/correct/")
    assert response.status_code == 409 and response.json()["code"] == "person_erased"
    assert not Assessment.objects.filter(supersedes=assessment).exists()
    # Nor can a step be written again.
    response = client.post(reverse("assessment_step", args=[assessment.pk, 1]), {})
    assert response.url == summary_url
    assert Assessment.objects.get(pk=assessment.pk).answers == {}
