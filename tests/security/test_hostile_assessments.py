"""Hostile input: the assessment API and steps (see tests/security/hostile.py)."""

import json
import re

import pytest
from django.urls import reverse

from assessments.models import Assessment, QuestionnaireVersion
from assessments.services import questionnaire_load_file
from tests.factories import (
    PersonFactory,
    UserFactory,
)
from tests.security.hostile import (
    LONG,
    NUL,
    SCRIPT,
    SQL,
    TEXTS,
    api,
    assert_escaped,
    assert_refused_in_french,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


# --- Assessment --------------------------------------------------------------------------------


@pytest.fixture
def questionnaire():
    if QuestionnaireVersion.current() is None:
        questionnaire_load_file()


@pytest.mark.parametrize(
    "answers",
    [
        [],
        "yes",
        {"has_smartphone": ["yes"]},
        {"has_smartphone": {"nested": {"deep": True}}},
        {"has_smartphone": SCRIPT},
        {"has_smartphone": NUL},
        {"has_smartphone": LONG},
        {"max_travel_km": -5},
        {"max_travel_km": 10**30},
        {"max_travel_km": "1e400"},
        {"max_travel_km": SQL},
        {"transport": [SCRIPT]},
        {"procedure_due_date": "31/02/2026"},
        {"procedure_due_date": NUL},
        {"unknown_question": "yes"},
    ],
    ids=lambda answers: json.dumps(answers)[:30],
)
def test_assessment_api_refuses_junk_answers(questionnaire, answers):
    person = PersonFactory()
    client = api(person.created_by)
    response = client.post(
        "/api/v1/assessments/", {"person": person.pk, "answers": answers}, format="json"
    )
    assert_refused_in_french(response)
    assert Assessment.objects.count() == 0

    draft = client.post("/api/v1/assessments/", {"person": person.pk}, format="json")
    assert draft.status_code == 201
    response = client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/", {"answers": answers}, format="json"
    )
    assert_refused_in_french(response)
    assert Assessment.objects.get().answers == {}


@pytest.mark.parametrize(
    "person", ["abc", -1, 10**30, [1], {"id": 1}, None], ids=lambda value: str(value)[:12]
)
def test_assessment_api_refuses_a_wrong_person(questionnaire, person):
    user = UserFactory()
    response = api(user).post("/api/v1/assessments/", {"person": person}, format="json")
    assert_refused_in_french(response)
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("kind", list(TEXTS))
def test_assessment_steps_refuse_junk_with_a_french_message(client, questionnaire, kind):
    person = PersonFactory()
    client.force_login(person.created_by)
    created = client.post(reverse("assessment_create", args=[person.pk]))
    assert created.status_code == 302
    assessment = Assessment.objects.get()
    value = TEXTS[kind]
    data = {
        "version": str(assessment.version.number),
        "has_smartphone": value,
        "has_computer": [value, value],
        "internet_home": value,
        "data_enough": value,
    }
    response = client.post(reverse("assessment_step", args=[assessment.pk, 1]), data)
    assert response.status_code in (200, 302)
    html = client.get(reverse("assessment_step", args=[assessment.pk, 1])).content.decode()
    assert_escaped(html, value)
    assert_escaped(response.content.decode(), value)
    if response.status_code == 200:
        for error in page_errors(response) + list(_item_errors(response)):
            french(error)
    assessment.refresh_from_db()
    assert value not in json.dumps(assessment.answers)


def _item_errors(response):
    html = response.content.decode()
    return re.findall(r'class="error"[^>]*>([^<]+)<', html)
