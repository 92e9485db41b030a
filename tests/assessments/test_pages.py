"""The step-by-step assessment through the pages: drafts, bad input, validation, freezing."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Assessment, QuestionnaireVersion
from referrals.models import Referral
from tests.assessments.answers import DEFINITION, JOSETTE, area_post_data, assessment_through_pages
from tests.factories import PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return PersonFactory()


@pytest.fixture
def logged_in(client, person):
    client.force_login(person.created_by)
    return client


def start(client, person):
    client.post(reverse("assessment_create", args=[person.pk]))
    return Assessment.objects.latest_for(person)


def test_each_step_shows_its_progress_and_is_saved_as_a_draft(logged_in, person):
    assessment = start(logged_in, person)
    page = logged_in.get(reverse("assessment_step", args=[assessment.pk, 1])).content.decode()
    assert "Étape 1 sur 8 : Équipement et connexion" in page
    response = logged_in.post(
        reverse("assessment_step", args=[assessment.pk, 1]), area_post_data("equipment")
    )
    assert response.url == reverse("assessment_step", args=[assessment.pk, 2])
    assessment.refresh_from_db()
    assert assessment.answers["internet_home"] == "mobile"
    assert assessment.status == Assessment.Status.DRAFT
    page = logged_in.get(response.url).content.decode()
    assert "Étape 2 sur 8 : Les bases" in page and 'aria-current="step"' in page


def test_leaving_in_the_middle_and_resuming_where_it_was_left(logged_in, person):
    assessment = start(logged_in, person)
    for step, area in enumerate(("equipment", "fundamentals"), start=1):
        logged_in.post(reverse("assessment_step", args=[assessment.pk, step]), area_post_data(area))
    page = logged_in.get(reverse("referral_new", args=[person.pk])).content.decode()
    assert "Diagnostic en cours" in page
    response = logged_in.get(reverse("assessment_resume", args=[assessment.pk]))
    assert response.url == reverse("assessment_step", args=[assessment.pk, 3])
    page = logged_in.get(reverse("assessment_step", args=[assessment.pk, 1])).content.decode()
    assert 'value="mobile" checked' in page  # earlier answers shown again


def test_saving_for_later_keeps_a_step_half_answered(logged_in, person):
    assessment = start(logged_in, person)
    response = logged_in.post(
        reverse("assessment_step", args=[assessment.pk, 1]),
        {"version": DEFINITION["version"], "has_smartphone": "yes", "action": "later"},
    )
    assert response.url == reverse("referral_new", args=[person.pk])
    assessment.refresh_from_db()
    assert assessment.answers == {"has_smartphone": "yes"}


def post_step(client, assessment, step, data):
    return client.post(reverse("assessment_step", args=[assessment.pk, step]), data)


def test_a_missing_answer_is_named_and_the_draft_kept(logged_in, person):
    assessment = start(logged_in, person)
    post_step(logged_in, assessment, 1, area_post_data("equipment"))
    data = area_post_data("fundamentals")
    del data["email"]
    data["browse"] = "autonomous"
    response = post_step(logged_in, assessment, 2, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Utiliser sa boîte mail" in page and "Choisissez une réponse." in page
    assert 'value="autonomous" checked' in page  # what was just picked is not lost
    assessment.refresh_from_db()
    assert assessment.answers["internet_home"] == "mobile"
    assert "browse" not in assessment.answers


def test_an_impossible_date_and_a_negative_distance_get_clear_messages(logged_in, person):
    assessment = start(logged_in, person)
    data = area_post_data("procedures") | {"procedure_due": "yes"}
    data["procedure_due_date"] = "31/02/2027"
    page = post_step(logged_in, assessment, 3, data).content.decode()
    assert "Cette date n&#x27;existe pas : vérifiez le jour et le mois." in page
    assert 'value="31/02/2027"' in page
    data["procedure_due_date"] = ""
    page = post_step(logged_in, assessment, 3, data).content.decode()
    assert "Si oui, avant quelle date ?" in page and "Indiquez une réponse." in page

    data = area_post_data("situation") | {"max_travel_km": "-5"}
    page = post_step(logged_in, assessment, 8, data).content.decode()
    assert "Indiquez un nombre entre 0 et 200." in page and 'value="-5"' in page
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_answers_to_another_version_of_the_questionnaire_are_refused(logged_in, person):
    assessment = start(logged_in, person)
    post_step(logged_in, assessment, 1, area_post_data("equipment"))
    data = area_post_data("fundamentals") | {"version": 1}  # a page left open since version 1
    page = post_step(logged_in, assessment, 2, data).content.decode()
    assert "correspond à une autre version du questionnaire (version 1)" in page
    assessment.refresh_from_db()
    assert "browse" not in assessment.answers and assessment.answers["has_smartphone"] == "yes"


def test_the_summary_lists_the_answers_and_validation_stores_the_profile(logged_in, person):
    assessment = assessment_through_pages(logged_in, person)
    profile = assessment.needs_profile
    assert profile.top_priority_categories == ["Aide aux démarches administratives"]
    assert assessment.profile["summary"].startswith("Besoin d'aide pour faire ses démarches")
    page = logged_in.get(reverse("assessment_summary", args=[assessment.pk])).content.decode()
    assert "Son compte sur la CAF (caf.fr)" in page and "Ne sait pas faire" in page
    assert "15 km" in page and "Haute" in page
    page = logged_in.get(reverse("referral_new", args=[person.pk])).content.decode()
    assert "Diagnostic validé" in page and profile.summary.replace("'", "&#x27;") in page


def test_validation_refuses_an_incomplete_assessment(logged_in, person):
    assessment = start(logged_in, person)
    post_step(logged_in, assessment, 1, area_post_data("equipment"))
    response = logged_in.post(reverse("assessment_summary", args=[assessment.pk]), follow=True)
    page = response.content.decode()
    assert "Certaines réponses manquent" in page and "Reprendre à l'étape 2" in page
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT and assessment.profile is None


def test_a_sent_assessment_is_frozen_and_corrected_by_a_new_version(logged_in, person):
    assessment = assessment_through_pages(logged_in, person)
    ReferralFactory(person=person, assessment=assessment)
    response = post_step(logged_in, assessment, 1, area_post_data("equipment"))
    assert response.url == reverse("assessment_summary", args=[assessment.pk])
    response = logged_in.post(reverse("assessment_correct", args=[assessment.pk]))
    correction = Assessment.objects.get(supersedes=assessment)
    assert response.url == reverse("assessment_step", args=[correction.pk, 1])
    assert correction.answers == assessment.answers and not correction.is_validated
    post_step(logged_in, correction, 1, area_post_data("equipment") | {"has_computer": "yes"})
    assessment.refresh_from_db()
    assert assessment.answers["has_computer"] == "no" and assessment.is_validated
    new_summary = reverse("assessment_summary", args=[correction.pk])
    old_summary = reverse("assessment_summary", args=[assessment.pk])
    page = logged_in.get(new_summary).content.decode()
    assert f'Ce diagnostic corrige <a href="{old_summary}">le diagnostic du' in page
    old_page = logged_in.get(old_summary).content.decode()
    assert f'Ce diagnostic a été corrigé : <a href="{new_summary}">' in old_page
    assert "Corriger le diagnostic" not in old_page


def test_another_structure_gets_a_404_and_other_roles_a_403(client, person):
    assessment = Assessment.objects.create(
        person=person, created_by=person.created_by, version=QuestionnaireVersion.current()
    )
    client.force_login(UserFactory())
    for url in (
        reverse("assessment_step", args=[assessment.pk, 1]),
        reverse("assessment_summary", args=[assessment.pk]),
        reverse("assessment_resume", args=[assessment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("assessment_create", args=[person.pk])).status_code == 404
    client.force_login(UserFactory(officer=True))
    assert client.get(reverse("assessment_summary", args=[assessment.pk])).status_code == 403


def test_the_referral_is_sent_with_the_validated_assessment(logged_in, person):
    from tests.factories import AdvisorFactory

    advisor = AdvisorFactory(place_commune="46128")
    assessment = assessment_through_pages(logged_in, person)
    url = reverse("referral_new", args=[person.pk])
    page = logged_in.post(url, {"step": "assessment"}).content.decode()
    assert str(advisor) in page
    needs = assessment.needs_profile.categories
    logged_in.post(url, {"step": "send", "needs": needs, "advisor": advisor.pk})
    referral = Referral.objects.get(person=person)
    assert referral.assessment == assessment and referral.needs == needs
    assert assessment.is_frozen
    slip = logged_in.get(reverse("referral_slip", args=[referral.pk]))
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(slip.content)).pages
    ).replace("\n", " ")
    assert "apprendre à faire seule" in text  # the profile's summary, on the slip


def test_no_suggestions_without_a_validated_assessment(logged_in, person):
    response = logged_in.post(reverse("referral_new", args=[person.pk]), {"step": "assessment"})
    assert response.url == reverse("referral_new", args=[person.pk])
    page = logged_in.get(response.url).content.decode()
    assert "Faites d&#x27;abord le diagnostic numérique" in page
    assert "Commencer le diagnostic" in page


def test_the_questionnaire_files_are_loaded_once(db):
    from assessments.services import questionnaire_load, questionnaire_load_file

    assert QuestionnaireVersion.current().definition == DEFINITION
    questionnaire_load(definition=DEFINITION)
    assert questionnaire_load_file().number == DEFINITION["version"]
    assert list(QuestionnaireVersion.objects.values_list("number", flat=True)) == [3, 2, 1]
    assert JOSETTE  # the shared answers fit the current version (checked by the profile tests)


def test_a_draft_is_not_corrected_but_changed_directly(logged_in, person):
    assessment = start(logged_in, person)
    response = logged_in.post(reverse("assessment_correct", args=[assessment.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessment_summary", args=[assessment.pk])
    assert "joint à aucune orientation envoyée : modifiez-le directement" in (
        response.content.decode()
    )
    assert Assessment.objects.count() == 1
