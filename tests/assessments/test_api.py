"""The assessment API: questionnaire, drafts, validation, profile; same rules as the pages."""

import pytest
from rest_framework.test import APIClient

from assessments.models import Assessment
from tests.assessments.answers import DEFINITION, JOSETTE
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return PersonFactory()


@pytest.fixture
def api(person):
    client = APIClient()
    client.force_authenticate(person.created_by)
    return client


def test_the_current_questionnaire_is_served(api):
    body = api.get("/api/v1/questionnaire/").json()
    assert body["version"] == DEFINITION["version"] == 3
    assert body["definition"]["areas"][2]["items"][0]["help"].startswith("Se connecter")
    assert [area["title"] for area in body["definition"]["areas"]][:2] == [
        "Équipement et connexion",
        "Les bases",
    ]


def test_draft_then_answers_then_validation_then_profile(api, person):
    first = {key: JOSETTE[key] for key in ("has_smartphone", "internet_home")}
    response = api.post("/api/v1/assessments/", {"person": person.pk, "answers": first}, "json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["version"] == 3

    response = api.post(f"/api/v1/assessments/{pk}/validate/")
    assert response.status_code == 400
    assert response.json()["errors"]["answers"]["email"] == "Choisissez une réponse."
    response = api.get(f"/api/v1/assessments/{pk}/profile/")
    assert response.status_code == 404 and response.json()["code"] == "not_validated"

    response = api.patch(f"/api/v1/assessments/{pk}/", {"answers": JOSETTE}, "json")
    assert response.status_code == 200, response.json()
    response = api.post(f"/api/v1/assessments/{pk}/validate/")
    assert response.status_code == 200 and response.json()["status"] == "validated"
    profile = api.get(f"/api/v1/assessments/{pk}/profile/").json()
    assert profile["needs"][0] == {"category": "Aide aux démarches administratives", "priority": 1}
    assert profile["constraints"]["max_travel_km"] == 15


def test_bad_answers_get_french_messages_and_keep_the_draft(api, person):
    pk = api.post("/api/v1/assessments/", {"person": person.pk}, "json").json()["id"]
    api.patch(f"/api/v1/assessments/{pk}/", {"answers": {"has_smartphone": "no"}}, "json")
    bad = {
        "max_travel_km": -5,
        "procedure_due": "yes",
        "procedure_due_date": "2027-02-30",
        "wifi_speed": "fast",
        "browse": "a bit",
    }
    response = api.patch(f"/api/v1/assessments/{pk}/", {"answers": bad}, "json")
    assert response.status_code == 400
    errors = response.json()["errors"]["answers"]
    assert errors["max_travel_km"] == "Indiquez un nombre entre 0 et 200."
    assert errors["procedure_due_date"] == "Cette date n'existe pas : vérifiez le jour et le mois."
    assert "ne fait pas partie de la version 3 du questionnaire" in errors["wifi_speed"]
    assert errors["browse"] == "Choisissez une des réponses proposées."
    assert Assessment.objects.get(pk=pk).answers == {"has_smartphone": "no"}


def test_a_frozen_assessment_cannot_be_changed_through_the_api(api, person):
    from tests.factories import ReferralFactory

    pk = api.post("/api/v1/assessments/", {"person": person.pk, "answers": JOSETTE}, "json")
    pk = pk.json()["id"]
    api.post(f"/api/v1/assessments/{pk}/validate/")
    ReferralFactory(person=person, assessment_id=pk)
    response = api.patch(f"/api/v1/assessments/{pk}/", {"answers": {"browse": "cannot"}}, "json")
    assert response.status_code == 409
    assert response.json()["code"] == "assessment_frozen"
    response = api.post(f"/api/v1/assessments/{pk}/correct/")
    assert response.status_code == 201
    assert response.json()["supersedes"] == pk and response.json()["status"] == "draft"
    correction = response.json()["id"]
    response = api.patch(
        f"/api/v1/assessments/{correction}/", {"answers": {"browse": "with_help"}}, "json"
    )
    assert response.status_code == 200
    assert Assessment.objects.get(pk=pk).answers["browse"] == "cannot"


def test_other_structures_get_404_and_other_roles_403(api, person):
    pk = api.post("/api/v1/assessments/", {"person": person.pk}, "json").json()["id"]
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(f"/api/v1/assessments/{pk}/").status_code == 404
    assert other.patch(f"/api/v1/assessments/{pk}/", {"answers": {}}, "json").status_code == 404
    assert other.post(f"/api/v1/assessments/{pk}/validate/").status_code == 404
    response = other.post("/api/v1/assessments/", {"person": person.pk}, "json")
    assert response.status_code == 400  # a person it cannot see does not exist for it
    assert other.get("/api/v1/assessments/").json()["count"] == 0
    officer = APIClient()
    officer.force_authenticate(UserFactory(officer=True))
    response = officer.get(f"/api/v1/assessments/{pk}/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_only_an_assessment_sent_with_a_referral_is_corrected(api, person):
    pk = api.post("/api/v1/assessments/", {"person": person.pk, "answers": JOSETTE}, "json")
    pk = pk.json()["id"]
    for step in ("draft", "validated"):
        response = api.post(f"/api/v1/assessments/{pk}/correct/")
        assert response.status_code == 409, step
        assert response.json() == {
            "detail": "Ce diagnostic n'est joint à aucune orientation envoyée : modifiez-le "
            "directement, sans créer de nouvelle version.",
            "code": "assessment_not_frozen",
        }
        api.post(f"/api/v1/assessments/{pk}/validate/")
    assert Assessment.objects.count() == 1
