"""The questionnaire is data: a new version is added without code, and changes no assessment."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment, QuestionnaireVersion
from assessments.services import assessment_start, questionnaire_load
from tests.assessments.answers import DEFINITION, JOSETTE, assessment_through_pages
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def version_2():
    """The département rewords a question and adds one about a printer at the mairie."""
    definition = copy.deepcopy(DEFINITION)
    definition["version"] = 2
    equipment = definition["areas"][0]["items"]
    equipment[0]["label"] = "La personne a-t-elle un téléphone qui va sur internet ?"
    equipment.append(
        {
            "key": "public_printer",
            "type": "yes_no",
            "label": "Sait-elle où imprimer gratuitement près de chez elle ?",
            "needs": {"Accès internet et matériel informatique": {"no": 1}},
        }
    )
    return definition


def test_a_new_version_from_the_admin_page_changes_no_assessment_made(client):
    person = PersonFactory()
    client.force_login(person.created_by)
    made = assessment_through_pages(client, person)
    profile_before = made.profile

    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="administrator"))
    response = client.post(
        reverse("admin:assessments_questionnaireversion_add"),
        {
            "number": 2,
            "definition": json.dumps(version_2()),
            "created_at_0": "26/11/2026",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert QuestionnaireVersion.current().number == 2

    client.force_login(person.created_by)
    new = assessment_start(user=person.created_by, person=person)
    assert new.version.number == 2
    page = client.get(reverse("assessment_step", args=[new.pk, 1])).content.decode()
    assert "Sait-elle où imprimer gratuitement" in page
    made.refresh_from_db()
    assert made.version.number == 1 and made.profile == profile_before
    page = client.get(reverse("assessment_summary", args=[made.pk])).content.decode()
    assert "La personne a-t-elle un smartphone" in page
    assert "Sait-elle où imprimer" not in page


def test_a_version_in_use_is_locked_in_the_admin(client):
    person = PersonFactory()
    assessment_start(user=person.created_by, person=person)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="administrator"))
    page = client.get(
        reverse("admin:assessments_questionnaireversion_change", args=[1])
    ).content.decode()
    assert 'name="definition"' not in page


def test_the_command_loads_a_file_once_and_refuses_to_rewrite_a_used_version(tmp_path):
    path = tmp_path / "questionnaire_v2.json"
    path.write_text(json.dumps(version_2()), encoding="utf-8")
    call_command("load_questionnaire", str(path))
    call_command("load_questionnaire", str(path))
    assert QuestionnaireVersion.objects.count() == 2

    person = PersonFactory()
    assessment_start(user=person.created_by, person=person)
    reworded = version_2()
    reworded["areas"][0]["title"] = "Matériel"
    path.write_text(json.dumps(reworded), encoding="utf-8")
    with pytest.raises(CommandError, match="sert déjà à des diagnostics"):
        call_command("load_questionnaire", str(path))
    assert QuestionnaireVersion.current().definition == version_2()


def test_a_draft_keeps_its_version_and_refuses_questions_of_the_new_one():
    person = PersonFactory()
    draft = assessment_start(user=person.created_by, person=person, answers={"browse": "cannot"})
    questionnaire_load(definition=version_2())
    api = APIClient()
    api.force_authenticate(person.created_by)
    response = api.patch(
        f"/api/v1/assessments/{draft.pk}/", {"answers": {"public_printer": "no"}}, "json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["answers"]["public_printer"] == (
        "Cette question ne fait pas partie de la version 1 du questionnaire : "
        "rechargez le diagnostic."
    )
    response = api.patch(f"/api/v1/assessments/{draft.pk}/", {"answers": JOSETTE}, "json")
    assert response.status_code == 200
    assert api.post(f"/api/v1/assessments/{draft.pk}/validate/").json()["version"] == 1
    assert Assessment.objects.get(pk=draft.pk).version.number == 1
