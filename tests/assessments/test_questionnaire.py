"""The questionnaire is data: a new version is added without code, and changes no assessment."""

import copy
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment, QuestionnaireVersion
from assessments.questionnaire import Questionnaire, definition_errors
from assessments.services import (
    QUESTIONNAIRE_FILES,
    InvalidQuestionnaire,
    assessment_start,
    questionnaire_load,
)
from tests.assessments.answers import DEFINITION, JOSETTE, assessment_through_pages
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


CURRENT = DEFINITION["version"]
NEXT = CURRENT + 1


def next_version():
    """The département rewords a question and adds one about a printer at the mairie."""
    definition = copy.deepcopy(DEFINITION)
    definition["version"] = NEXT
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
            "number": NEXT,
            "definition": json.dumps(next_version()),
            "created_at_0": "26/11/2026",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert QuestionnaireVersion.current().number == NEXT

    client.force_login(person.created_by)
    new = assessment_start(user=person.created_by, person=person)
    assert new.version.number == NEXT
    page = client.get(reverse("assessment_step", args=[new.pk, 1])).content.decode()
    assert "Sait-elle où imprimer gratuitement" in page
    made.refresh_from_db()
    assert made.version.number == CURRENT and made.profile == profile_before
    page = client.get(reverse("assessment_summary", args=[made.pk])).content.decode()
    assert "La personne a-t-elle un smartphone" in page
    assert "Sait-elle où imprimer" not in page


def test_a_version_in_use_is_locked_in_the_admin(client):
    person = PersonFactory()
    assessment_start(user=person.created_by, person=person)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="administrator"))
    page = client.get(
        reverse(
            "admin:assessments_questionnaireversion_change",
            args=[QuestionnaireVersion.current().pk],
        )
    ).content.decode()
    assert 'name="definition"' not in page


def test_the_command_loads_a_file_once_and_refuses_to_rewrite_a_used_version(tmp_path):
    path = tmp_path / "questionnaire_next.json"
    path.write_text(json.dumps(next_version()), encoding="utf-8")
    call_command("load_questionnaire", str(path))
    call_command("load_questionnaire", str(path))
    assert QuestionnaireVersion.objects.count() == NEXT

    person = PersonFactory()
    assessment_start(user=person.created_by, person=person)
    reworded = next_version()
    reworded["areas"][0]["title"] = "Matériel"
    path.write_text(json.dumps(reworded), encoding="utf-8")
    with pytest.raises(CommandError, match="sert déjà à des diagnostics"):
        call_command("load_questionnaire", str(path))
    assert QuestionnaireVersion.current().definition == next_version()


def test_a_draft_keeps_its_version_and_refuses_questions_of_the_new_one():
    person = PersonFactory()
    draft = assessment_start(user=person.created_by, person=person, answers={"browse": "cannot"})
    questionnaire_load(definition=next_version())
    api = APIClient()
    api.force_authenticate(person.created_by)
    response = api.patch(
        f"/api/v1/assessments/{draft.pk}/", {"answers": {"public_printer": "no"}}, "json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["answers"]["public_printer"] == (
        f"Cette question ne fait pas partie de la version {CURRENT} du questionnaire : "
        "rechargez le diagnostic."
    )
    response = api.patch(f"/api/v1/assessments/{draft.pk}/", {"answers": JOSETTE}, "json")
    assert response.status_code == 200
    assert api.post(f"/api/v1/assessments/{draft.pk}/validate/").json()["version"] == CURRENT
    assert Assessment.objects.get(pk=draft.pk).version.number == CURRENT


# --- A definition is checked before it is stored ------------------------------------------------


def broken(change):
    definition = copy.deepcopy(next_version())
    change(definition)
    return definition


def item(definition, key):
    return next(i for area in definition["areas"] for i in area["items"] if i["key"] == key)


BROKEN = {
    "no areas": (lambda d: d.pop("areas"), "« areas » doit être une liste d'étapes"),
    "unknown need category": (
        lambda d: item(d, "has_computer").update(needs={"Jardinage": {"no": 1}}),
        "besoin « Jardinage » inconnu : choisissez un besoin du référentiel national",
    ),
    "unknown skill category": (
        lambda d: item(d, "browse").update(category="Internet"),
        "Question « browse » : « category » doit être un besoin du référentiel national",
    ),
    "unknown answer type": (
        lambda d: item(d, "browse").update(type="slider"),
        "Question « browse » : type de réponse « slider » inconnu",
    ),
    "scale of two levels": (
        lambda d: d["scale"].pop(1),
        "« scale » doit donner les trois niveaux d'autonomie",
    ),
    "show_if to a missing item": (
        lambda d: item(d, "procedure_due_date").update(show_if={"item": "due", "equals": "yes"}),
        "Question « procedure_due_date » : « show_if » doit nommer une autre question",
    ),
    "show_if to an answer the item does not have": (
        lambda d: item(d, "procedure_due_date")["show_if"].update(equals="oui"),
        "« equals » doit être une des réponses de la question « procedure_due »",
    ),
    "points for an answer the item does not have": (
        lambda d: item(d, "internet_home").update(
            needs={"Accès internet et matériel informatique": {"fiber": 1}}
        ),
        "les points de « Accès internet et matériel informatique » doivent associer",
    ),
    "unknown constraint": (
        lambda d: item(d, "home_visit").update(constraint="home"),
        "contrainte « home » inconnue",
    ),
    "a key used twice": (
        lambda d: item(d, "browse").update(key="email"),
        "La clé de question « email » est en double.",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_definition_is_refused_by_the_loader_with_a_french_message(case):
    change, message = BROKEN[case]
    with pytest.raises(InvalidQuestionnaire) as refused:
        questionnaire_load(definition=broken(change))
    assert message in refused.value.message
    assert refused.value.message.startswith("Le questionnaire n'est pas valable : ")
    assert QuestionnaireVersion.current().number == CURRENT


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_definition_is_refused_by_the_admin_page(superuser_client, case):
    change, message = BROKEN[case]
    response = admin_add_version(superuser_client, NEXT, broken(change))
    assert response.status_code == 200  # the form again, with the reason
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert QuestionnaireVersion.current().number == CURRENT
    person = PersonFactory()
    assert assessment_start(user=person.created_by, person=person).version.number == CURRENT


def test_the_admin_version_number_must_be_the_one_in_the_definition(superuser_client):
    response = admin_add_version(superuser_client, NEXT + 1, next_version())
    page = response.content.decode()
    assert f"Le numéro de version ({NEXT + 1}) doit être celui écrit dans la définition" in page
    assert not QuestionnaireVersion.objects.filter(number__gt=CURRENT).exists()


def test_the_command_refuses_a_broken_file_and_says_why(tmp_path):
    path = tmp_path / "questionnaire.json"
    path.write_text(json.dumps(broken(lambda d: d["areas"][0].pop("items"))), encoding="utf-8")
    with pytest.raises(CommandError, match="« items » doit lister au moins une question"):
        call_command("load_questionnaire", str(path))
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="pas du JSON lisible"):
        call_command("load_questionnaire", str(path))
    assert QuestionnaireVersion.current().number == CURRENT


def test_the_shipped_versions_are_valid():
    for path in QUESTIONNAIRE_FILES:
        assert definition_errors(json.loads(path.read_text(encoding="utf-8"))) == [], path


def admin_add_version(client, number, definition):
    return client.post(
        reverse("admin:assessments_questionnaireversion_add"),
        {
            "number": number,
            "definition": json.dumps(definition),
            "created_at_0": "26/11/2026",
            "created_at_1": "10:00:00",
        },
    )


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="administrator"))
    return client


# --- Help in plain French -------------------------------------------------------------------


def test_each_skill_and_each_online_account_has_help_in_plain_french():
    items = [i for area in DEFINITION["areas"] for i in area["items"]]
    skills = [i for i in items if i["type"] == "skill"]
    assert skills and all(i.get("help") for i in skills), [
        i["key"] for i in skills if not i.get("help")
    ]
    procedures = next(area for area in DEFINITION["areas"] if area["key"] == "procedures")
    assert all(i.get("help") for i in procedures["items"])
    assert all(len(i.get("help", "")) <= 160 for i in items)  # short enough to read aloud


def test_help_text_is_a_new_version_and_version_1_stays_as_it_was(client):
    """Version 1 may be in use: its wording never changes under an assessment made on it."""
    first = QuestionnaireVersion.objects.get(number=1)
    assert first.definition == json.loads(QUESTIONNAIRE_FILES[0].read_text(encoding="utf-8"))
    assert sum(bool(i.get("help")) for a in first.definition["areas"] for i in a["items"]) == 6
    assert QuestionnaireVersion.current().number == CURRENT == 3
    second = json.loads(QUESTIONNAIRE_FILES[1].read_text(encoding="utf-8"))
    assert [i["key"] for a in first.definition["areas"] for i in a["items"]] == [
        i["key"] for a in second["areas"] for i in a["items"]
    ]  # the same questions: only help was added
    # Version 3 adds one question, what the person comes for first, and keeps the others.
    assert [
        i["key"] for a in DEFINITION["areas"] for i in a["items"] if i["key"] != "main_needs"
    ] == [i["key"] for a in second["areas"] for i in a["items"]]

    person = PersonFactory()
    client.force_login(person.created_by)
    draft = assessment_start(user=person.created_by, person=person)
    page = client.get(reverse("assessment_step", args=[draft.pk, 3])).content.decode()
    assert "Se connecter, voir ses paiements, déclarer ses ressources." in page


# --- Dates ------------------------------------------------------------------------------------

TODAY = date(2026, 11, 26)
DUE = Questionnaire(DEFINITION).items["procedure_due_date"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("26/11/2026", "2026-11-26"), ("15/01/2027", "2027-01-15"), ("2028-11-26", "2028-11-26")],
)
def test_a_due_date_from_today_to_two_years_ahead_is_kept(typed, stored):
    assert Questionnaire(DEFINITION).clean(DUE, typed, today=TODAY) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01/01/1900", "Cette date est déjà passée : indiquez une date à venir."),
        ("25/11/2026", "Cette date est déjà passée : indiquez une date à venir."),
        ("27/11/2028", "Indiquez une date dans les deux ans à venir, au plus tard le 26/11/2028."),
        ("01/01/9999", "Indiquez une date dans les deux ans à venir"),
    ],
)
def test_a_due_date_in_the_past_or_too_far_ahead_is_refused(typed, message):
    with pytest.raises(ValueError, match=message):
        Questionnaire(DEFINITION).clean(DUE, typed, today=TODAY)


def test_a_due_date_of_1900_never_makes_the_assessment_urgent():
    person = PersonFactory()
    api = APIClient()
    api.force_authenticate(person.created_by)
    answers = {**JOSETTE, "procedure_due": "yes", "procedure_due_date": "01/01/1900"}
    response = api.post("/api/v1/assessments/", {"person": person.pk, "answers": answers}, "json")
    assert response.status_code == 400
    assert response.json()["errors"]["answers"]["procedure_due_date"].startswith(
        "Cette date est déjà passée"
    )
    assert not Assessment.objects.exists()
