"""Answers of a whole assessment, for tests: Josette, 75, at ease with nothing online."""

import json

from assessments.services import QUESTIONNAIRE_CURRENT

DEFINITION = json.loads(QUESTIONNAIRE_CURRENT.read_text(encoding="utf-8"))  # the current version

PROCEDURES = ["caf", "ameli", "impots", "france_travail", "ants", "msa", "retraite"]

JOSETTE = {
    "has_smartphone": "yes",
    "has_computer": "no",
    "has_printer": "no",
    "internet_home": "mobile",
    "data_enough": "unknown",
    "use_device": "with_help",
    "browse": "cannot",
    "email": "cannot",
    "scan_send": "cannot",
    **dict.fromkeys(PROCEDURES, "cannot"),
    "france_travail": "not_applicable",
    "franceconnect": "cannot",
    "procedure_due": "no",
    "rights_at_risk": "no",
    "scams": "with_help",
    "passwords": "with_help",
    "cv": "not_applicable",
    "apply": "not_applicable",
    "ft_space": "not_applicable",
    "school_ent": "not_applicable",
    "parental_control": "not_applicable",
    "video_call": "with_help",
    "health_appointment": "cannot",
    "online_banking": "autonomous",
    "reliable_info": "with_help",
    "max_travel_km": 15,
    "transport": ["bus"],
    "home_visit": "no",
    "remote": ["phone"],
    "french_level": "fluent",
    "languages": ["fr"],
    "specific_needs": ["Déficience visuelle"],
    "half_days": ["tu-am", "th-pm"],
    "support_wish": "learn",
}


def area_post_data(area_key, answers=JOSETTE, definition=DEFINITION):
    """What the step form of one area posts for these answers."""
    area = next(area for area in definition["areas"] if area["key"] == area_key)
    data = {"version": definition["version"]}
    for item in area["items"]:
        if item["key"] in answers:
            value = answers[item["key"]]
            data[item["key"]] = value if isinstance(value, list) else str(value)
    return data


def assessment_through_pages(client, person, answers=JOSETTE):
    """Starts an assessment from the person's page, answers every step, validates it."""
    from django.urls import reverse

    from assessments.models import Assessment

    response = client.post(reverse("assessment_create", args=[person.pk]))
    assessment = Assessment.objects.latest_for(person)
    assert response.url == reverse("assessment_step", args=[assessment.pk, 1])
    for step, area in enumerate(DEFINITION["areas"], start=1):
        response = client.post(
            reverse("assessment_step", args=[assessment.pk, step]),
            area_post_data(area["key"], answers),
        )
        assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("assessment_summary", args=[assessment.pk]))
    assert response.url == reverse("referral_new", args=[person.pk])
    assessment.refresh_from_db()
    assert assessment.is_validated
    return assessment


def assessment_through_browser(page, answers=JOSETTE):
    """In the browser, from the person's assessment page: every step answered, validated."""
    page.get_by_role("button", name="Commencer le diagnostic").click()
    for area in DEFINITION["areas"]:
        for item in area["items"]:
            value = answers.get(item["key"])
            if value is None:
                continue
            if item["type"] in ("number", "date"):
                page.locator(f'input[name="{item["key"]}"]').fill(str(value))
                continue
            for one in value if isinstance(value, list) else [value]:
                page.locator(f'input[name="{item["key"]}"][value="{one}"]').check()
        page.get_by_role("button", name="Enregistrer et", exact=False).first.click()
    page.get_by_role("button", name="Valider le diagnostic").click()


def validated_assessment(person, answers=None):
    """The person's assessment on the current questionnaire (loaded if need be), validated
    through the services as the pages do: what referring needs."""
    from assessments.models import QuestionnaireVersion
    from assessments.services import assessment_start, assessment_validate, questionnaire_load_file

    if QuestionnaireVersion.current() is None:
        questionnaire_load_file()
    user = person.created_by
    draft = assessment_start(user=user, person=person, answers=answers or JOSETTE)
    return assessment_validate(user=user, assessment=draft)
