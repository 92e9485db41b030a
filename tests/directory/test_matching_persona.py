"""The everyday case on the demo data: born 1951, lives in Gramat, landline only, no computer,
needs help with her CAF, ameli and impôts accounts. She used to get no suggestion at all."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from referrals.views import _suggest
from tests.assessments.answers import JOSETTE, validated_assessment
from tests.factories import PersonFactory, commune

pytestmark = pytest.mark.django_db

SKILLS = [
    "use_device", "browse", "email", "scan_send", "caf", "ameli", "impots", "ants", "msa",
    "retraite", "franceconnect", "scams", "passwords", "video_call", "health_appointment",
    "online_banking", "reliable_info",
]  # fmt: skip
PERSONA = {
    **JOSETTE,
    **dict.fromkeys(SKILLS, "cannot"),
    **dict.fromkeys(
        ("france_travail", "cv", "apply", "ft_space", "school_ent", "parental_control"),
        "not_applicable",
    ),
    "has_smartphone": "no",
    "has_computer": "no",
    "has_printer": "no",
    "internet_home": "none",
    "data_enough": "no",
    "max_travel_km": 15,
    "transport": [],
    "remote": [],  # a landline, no computer: help face to face
    "specific_needs": [],
    "half_days": ["tu-am", "th-am"],
    "support_wish": "do_with",
}


@pytest.fixture
def persona():
    call_command("load_demo", stdout=StringIO())
    social_worker = User.objects.get(username="travailleur.social")
    person = PersonFactory(
        first_name="Simone",
        last_name="Lafon",
        birth_year=1951,
        phone="05 65 33 22 11",
        commune=commune("46128"),
        created_by=social_worker,
    )
    return person


def test_the_persona_gets_suggestions_from_france_services_de_gramat(persona):
    assessment = validated_assessment(persona, answers=PERSONA)
    profile = assessment.needs_profile
    # Her needs are not all "Haute": what she wants to do comes before the means.
    assert len({need.priority for need in profile.needs}) > 1
    assert profile.top_priority_categories[0] == "Aide aux démarches administratives"

    ranking = _suggest(persona, profile)

    # Both advisors of France Services de Gramat (Gramat and Rocamadour), though neither covers
    # every need: each says which ones it does not.
    assert {s.advisor.structure.name for s in ranking} == {"France Services de Gramat"}
    assert len(ranking) == 2
    assert all("ne couvre pas : " in s.explanation for s in ranking)
    assert all(s.mode == "place" and s.distance_km <= 15 for s in ranking)
    assert any("quand la personne est disponible" in s.explanation for s in ranking)
    # The others are listed with why, the distance, the next permanence and the load.
    assert ranking.why_not and all(w.details.count(" · ") == 2 for w in ranking.why_not)


def test_the_persona_naming_her_accounts_sees_them_first_and_chooses_on_the_page(client, persona):
    assessment = validated_assessment(
        persona, answers={**PERSONA, "main_needs": ["Aide aux démarches administratives"]}
    )
    assert assessment.needs_profile.top_priority_categories == [
        "Aide aux démarches administratives"
    ]
    assert {need.priority for need in assessment.needs_profile.needs} == {1, 2}
    client.force_login(persona.created_by)

    page = client.post(
        reverse("referral_new", args=[persona.pk]), {"step": "assessment"}
    ).content.decode()

    suggested = page[page.index('<ol class="suggestions">') : page.index("</ol>")]
    assert suggested.count('name="advisor"') == 2
    assert suggested.count("France Services de Gramat") == 2
    assert "ne couvre pas : " in suggested and "quand la personne est disponible" in suggested
    assert "checked" not in page.split('name="shared"')[0]  # the social worker chooses
    assert "Aucun conseiller disponible" not in page
