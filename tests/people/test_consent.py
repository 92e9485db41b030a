"""Consent revocation, the access log, export and erasure on request."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from people import services
from people.models import Consent, Person, PersonAccess
from referrals.models import CancelReason, ReferralMessage, ReferralState
from referrals.services import referral_message_post
from tests.factories import PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralState


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_revocation_hides_contact_and_cancels_open_referrals_at_once(client):
    person = PersonFactory(phone="06 98 76 54 32")
    open_one = ReferralFactory(person=person, state=S.ACCEPTED)
    closed_one = ReferralFactory(person=person, state=S.COMPLETED, advisor=open_one.advisor)
    advisor = open_one.advisor.user
    client.force_login(advisor)
    page = client.get(reverse("referral_detail", args=[open_one.pk])).content.decode()
    assert "06 98 76 54 32" in page and person.last_name in page

    client.force_login(person.created_by)
    client.post(reverse("consent_revoke", args=[person.pk]))

    open_one.refresh_from_db()
    closed_one.refresh_from_db()
    assert (open_one.state, open_one.cancel_reason) == (S.CANCELLED, CancelReason.CONSENT_WITHDRAWN)
    assert closed_one.state == S.COMPLETED
    event = open_one.events.get()
    assert (event.from_state, event.to_state, event.reason, event.actor) == (
        S.ACCEPTED,
        S.CANCELLED,
        "Consentement retiré",
        person.created_by,
    )
    assert person.active_consent is None
    client.force_login(advisor)
    page = client.get(reverse("referral_detail", args=[closed_one.pk])).content.decode()
    assert "06 98 76 54 32" not in page and person.last_name not in page
    data = api_as(advisor).get(f"/api/v1/referrals/{closed_one.pk}/").json()["person_data"]
    assert set(data) == {"initials", "commune"}


def test_revocation_twice_is_a_conflict_and_a_new_consent_shares_again():
    person = PersonFactory()
    services.consent_revoke(user=person.created_by, person=person)
    response = api_as(person.created_by).post(f"/api/v1/persons/{person.pk}/revoke-consent/")
    assert response.status_code == 409
    services.consent_record(
        user=person.created_by,
        person=person,
        share_identity=True,
        share_assessment=False,
        method=Consent.Method.SIGNED,
    )
    assert person.active_consent.method == Consent.Method.SIGNED


def test_only_the_persons_structure_revokes(client):
    person = PersonFactory()
    client.force_login(UserFactory())
    assert client.post(reverse("consent_revoke", args=[person.pk])).status_code == 404
    assert person.active_consent is not None


def test_every_view_of_a_persons_data_is_logged_and_the_coordinator_reads_the_log(client):
    referral = ReferralFactory()
    person = referral.person
    client.force_login(person.created_by)
    client.get(reverse("person_detail", args=[person.pk]))
    client.force_login(referral.advisor.user)
    client.get(reverse("referral_detail", args=[referral.pk]))
    api_as(referral.advisor.user).get(f"/api/v1/referrals/{referral.pk}/")
    api_as(person.created_by).get("/api/v1/persons/")

    log = list(PersonAccess.objects.order_by("pk").values_list("user", "person", "where"))
    assert log == [
        (person.created_by.pk, person.pk, f"/personnes/{person.pk}/"),
        (referral.advisor.user.pk, person.pk, f"/orientations/{referral.pk}/"),
        (referral.advisor.user.pk, person.pk, f"API GET /api/v1/referrals/{referral.pk}/"),
    ]  # the persons list opened no one: not logged (tests/people/test_api_search.py)

    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    page = client.get(reverse("person_access_log")).content.decode()
    assert f"/orientations/{referral.pk}/" in page and person.last_name not in page
    assert len(api_as(coordinator).get("/api/v1/access-log/").json()["results"]) == 3
    client.force_login(person.created_by)
    assert client.get(reverse("person_access_log")).status_code == 403
    assert api_as(person.created_by).get("/api/v1/access-log/").status_code == 403


def test_nobody_edits_the_access_log():
    access = PersonAccess.objects.create(user=UserFactory(), person=PersonFactory(), where="/x/")
    with pytest.raises(ValueError):
        access.save()
    with pytest.raises(ValueError):
        access.delete()
    with pytest.raises(ValueError):
        PersonAccess.objects.update(where="/y/")


def test_export_holds_everything_about_the_person(client):
    referral = ReferralFactory()
    person = referral.person
    referral_message_post(user=referral.referrer, referral=referral, body="Préfère le matin")
    client.force_login(person.created_by)
    response = client.get(reverse("person_export", args=[person.pk]))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["person"]["last_name"] == person.last_name
    assert data["consents"][0]["method"] == "oral"
    assert data["referrals"][0]["code"] == referral.code
    assert data["referrals"][0]["messages"][0]["body"] == "Préfère le matin"
    assert api_as(person.created_by).get(f"/api/v1/persons/{person.pk}/export/").json() == (
        services.person_export(user=person.created_by, person=person)
    )
    client.force_login(UserFactory())
    assert client.get(reverse("person_export", args=[person.pk])).status_code == 404
    client.force_login(referral.advisor.user)
    assert client.get(reverse("person_export", args=[person.pk])).status_code == 403


def test_erasure_on_request_cancels_open_referrals_and_leaves_an_anonymous_record(client):
    referral = ReferralFactory()
    person = referral.person
    referral_message_post(user=referral.referrer, referral=referral, body="Rappeler lundi")
    client.force_login(person.created_by)
    response = client.post(reverse("person_erase", args=[person.pk]))
    assert response.url == reverse("person_list")

    person = Person.objects.get(pk=person.pk)
    referral.refresh_from_db()
    assert (person.first_name, person.last_name, person.phone, person.email) == ("", "", "", "")
    assert (person.birth_year, person.age_band) == (None, "75+")
    assert person.commune.insee == "46128" and person.erased_at
    assert (referral.state, referral.cancel_reason) == (S.CANCELLED, CancelReason.ERASURE)
    assert timezone.localtime(referral.sent_at).day == 1 and referral.needs
    assert not ReferralMessage.objects.exists()
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404


def test_a_revocation_without_open_referral_says_who_revoked_in_the_log_the_coordinator_reads(
    client,
):
    person = PersonFactory()
    social_worker = person.created_by
    client.force_login(social_worker)
    client.post(reverse("consent_revoke", args=[person.pk]))

    consent = Consent.objects.get(person=person)
    assert consent.revoked_at is not None and consent.revoked_by == social_worker
    [access] = PersonAccess.objects.filter(person=person)
    assert (access.user, access.at) == (social_worker, consent.revoked_at)
    assert access.where == f"Retrait du consentement (/personnes/{person.pk}/consentement/retirer/)"
    exported = services.person_export(user=social_worker, person=person)["consents"]
    assert exported[0]["revoked_by"] == social_worker.get_full_name()

    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    assert "Retrait du consentement" in client.get(reverse("person_access_log")).content.decode()
    [row] = api_as(coordinator).get("/api/v1/access-log/").json()["results"]
    assert (row["person"], row["where"]) == (person.pk, access.where)

    other = PersonFactory(created_by=social_worker)
    api_as(social_worker).post(f"/api/v1/persons/{other.pk}/revoke-consent/")
    assert other.accesses.get().where == (
        f"Retrait du consentement (API POST /api/v1/persons/{other.pk}/revoke-consent/)"
    )
    assert Consent.objects.get(person=other).revoked_by == social_worker


def test_a_new_consent_says_who_ended_the_previous_one():
    person = PersonFactory()
    colleague = UserFactory(structure=person.structure)
    services.consent_record(
        user=colleague,
        person=person,
        share_identity=True,
        share_assessment=False,
        method=Consent.Method.SIGNED,
    )
    previous = Consent.objects.get(person=person, revoked_at__isnull=False)
    assert previous.revoked_by == colleague


def test_the_persons_page_says_who_withdrew_the_consent(client):
    person = PersonFactory()
    colleague = UserFactory(
        structure=person.created_by.structure, first_name="Colette", last_name="Retrait"
    )
    client.force_login(colleague)
    client.post(reverse("consent_revoke", args=[person.pk]))
    client.force_login(person.created_by)
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Retiré par" in page and "Colette Retrait" in page
