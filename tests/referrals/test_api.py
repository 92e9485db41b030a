import pytest
from rest_framework.test import APIClient

from directory.enums import Service
from referrals.models import Referral, ReferralState
from tests.assessments.answers import JOSETTE
from tests.factories import PASSWORD, AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
NEED = Service.ADMIN_PROCEDURES.value


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_thin_journey_through_the_api(django_capture_on_commit_callbacks):
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": social_worker.username, "password": PASSWORD}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    person = client.post(
        "/api/v1/persons/",
        {
            "first_name": "Josette",
            "last_name": "Delpech",
            "birth_year": 1951,
            "commune": "46128",
            "preferred_channel": "phone",
            "share_identity": True,
            "share_assessment": False,
            "consent_method": "signed",
        },
        format="json",
    )
    assert person.status_code == 201, person.json()
    person_id = person.json()["id"]

    # The assessment: a draft, then every answer, then validation and its needs profile.
    draft = client.post("/api/v1/assessments/", {"person": person_id}, format="json").json()
    client.patch(f"/api/v1/assessments/{draft['id']}/", {"answers": JOSETTE}, format="json")
    validated = client.post(f"/api/v1/assessments/{draft['id']}/validate/").json()
    assert validated["status"] == "validated", validated
    profile = validated["profile"]
    needs = [need["category"] for need in profile["needs"]]
    assert needs[0] == NEED

    suggestions = client.post(
        "/api/v1/suggestions/",
        {"commune": "46128", "profile": profile, "person": person_id},
        format="json",
    ).json()
    assert suggestions[0]["advisor"] == advisor.pk
    assert suggestions[0]["distance_km"] < 1

    with django_capture_on_commit_callbacks():
        sent = client.post(
            "/api/v1/referrals/", {"person": person_id, "advisor": advisor.pk}, format="json"
        )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["state"] == "sent" and sent.json()["was_suggested"] is True
    assert sent.json()["assessment"] == draft["id"] and sent.json()["needs"] == needs
    referral_id = sent.json()["id"]
    assert Referral.objects.get(pk=referral_id).assessment.is_frozen
    frozen = client.patch(
        f"/api/v1/assessments/{draft['id']}/", {"answers": {"browse": "autonomous"}}, format="json"
    )
    assert frozen.status_code == 409 and frozen.json()["code"] == "assessment_frozen"

    advisor_client = api_as(advisor.user)
    assert [r["id"] for r in advisor_client.get("/api/v1/referrals/").json()["results"]] == [
        referral_id
    ]
    declined = advisor_client.post(
        f"/api/v1/referrals/{referral_id}/decline/", {"reason": "no_capacity"}, format="json"
    )
    assert declined.json()["state"] == "declined"
    again = advisor_client.post(f"/api/v1/referrals/{referral_id}/accept/")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Cette orientation a déjà reçu une réponse (état : refusée).",
        "code": "conflict",
    }

    slip = client.get(f"/api/v1/referrals/{referral_id}/slip/")
    assert slip["Content-Type"] == "application/pdf" and slip.content.startswith(b"%PDF")


def test_another_structures_referral_is_a_404_and_a_forbidden_action_a_403_with_a_reason():
    referral = ReferralFactory()
    stranger = api_as(UserFactory())
    response = stranger.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

    referrer = api_as(referral.referrer)
    response = referrer.post(f"/api/v1/referrals/{referral.pk}/accept/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Cette action sur l'orientation n'est pas accessible à votre rôle.",
        "code": "permission_denied",
    }
    officer = api_as(UserFactory(officer=True))
    response = officer.get("/api/v1/referrals/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Cette action n'est pas accessible à votre rôle."
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT


def test_a_person_of_another_structure_cannot_be_referred():
    person = PersonFactory()
    response = api_as(UserFactory()).post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": AdvisorFactory().pk, "needs": [NEED]},
        format="json",
    )
    assert response.status_code == 400
    assert "person" in response.json()["errors"]
    assert not Referral.objects.exists()


def assessed(person, answers=JOSETTE):
    """The person's assessment, validated (through the services, as the pages do)."""
    from assessments.services import assessment_start, assessment_validate

    draft = assessment_start(user=person.created_by, person=person, answers=answers)
    return assessment_validate(user=person.created_by, assessment=draft)


def test_a_referral_is_not_sent_without_a_validated_assessment():
    person = PersonFactory()
    client = api_as(person.created_by)
    data = {"person": person.pk, "advisor": AdvisorFactory().pk, "needs": [NEED]}
    for situation in ("no assessment", "a draft"):
        response = client.post("/api/v1/referrals/", data, format="json")
        assert response.status_code == 400, situation
        assert response.json() == {
            "detail": "La personne n'a pas de diagnostic numérique validé : faites-le et "
            "validez-le d'abord (/api/v1/assessments/), l'orientation part avec lui.",
            "code": "assessment_required",
        }
        client.post("/api/v1/assessments/", {"person": person.pk}, format="json")
    assert not Referral.objects.exists()


def test_the_needs_sent_must_come_out_of_the_assessment():
    person = PersonFactory()
    assessment = assessed(person)
    client = api_as(person.created_by)
    advisor = AdvisorFactory(place_commune="46128")
    leisure = Service.LEISURE.value
    response = client.post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": advisor.pk, "needs": [NEED, leisure]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["needs"] == [
        f"Ces besoins ne ressortent pas du diagnostic de la personne : {leisure}. "
        "Choisissez parmi ceux du diagnostic, ou corrigez-le."
    ]
    assert not Referral.objects.exists() and not assessment.is_frozen

    response = client.post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": advisor.pk, "needs": [NEED]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.needs == [NEED] and referral.assessment == assessment


def test_the_api_ranks_on_the_assessment_s_profile_not_on_bare_needs():
    """Josette goes 15 km at most: an advisor in Cahors, 50 km away, is not a suggestion."""
    person = PersonFactory()  # in Gramat
    assessed(person)
    far = AdvisorFactory(place_commune="46042")
    response = api_as(person.created_by).post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": far.pk, "needs": [NEED]},
        format="json",
    )
    assert response.status_code == 400  # outside the suggestions: a reason is needed
    assert response.json()["code"] == "outside_reason_required"
    response = api_as(person.created_by).post(
        "/api/v1/referrals/",
        {"person": person.pk, "advisor": far.pk, "needs": [NEED], "outside_reason": "Connu"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["was_suggested"] is False
    assert response.json()["suggested_rank"] is None


def test_bad_input_gets_a_json_error_in_french():
    client = api_as(UserFactory())
    response = client.post(
        "/api/v1/persons/",
        {"first_name": "", "birth_year": "x", "commune": "75056", "share_identity": False},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert "Ce champ ne peut être vide." in body["errors"]["first_name"]
    assert body["errors"]["commune"] == ["Commune inconnue : choisissez-la dans la liste proposée."]
    assert "share_identity" in body["errors"] and "birth_year" in body["errors"]
    anonymous = APIClient().get("/api/v1/referrals/")
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["code"] == "not_authenticated"


def test_officer_gets_aggregates_only():
    ReferralFactory()  # a person living in Gramat
    body = api_as(UserFactory(officer=True)).get("/api/v1/stats/epci/").json()
    assert len(body["rows"]) == 11  # the ten EPCIs, then the total
    totals = {row["label"]: row["cells"][-1] for row in body["rows"]}
    hidden = {"value": None, "display": "< 11", "status": "primary"}
    assert totals.pop("CC Causses et Vallée de la Dordogne") == hidden  # 1 is below 11
    assert totals.pop("Total") == hidden
    assert all(cell["value"] == 0 for cell in totals.values())


def test_the_schema_and_docs_are_served():
    client = api_as(UserFactory())
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
