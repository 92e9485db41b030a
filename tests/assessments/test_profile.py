"""The needs profile: rules a social worker would state, checked on many answer sets."""

import json
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.profile import (
    NeedsProfile,
    SupportMode,
    needs_profile_compute,
    profile_from_json,
    profile_to_json,
)
from assessments.questionnaire import Questionnaire
from directory.enums import Service
from tests.assessments.answers import DEFINITION, JOSETTE

TODAY = date(2026, 11, 26)
QUESTIONNAIRE = Questionnaire(DEFINITION)
SKILLS = [key for key, item in QUESTIONNAIRE.items.items() if item["type"] == "skill"]


def _value_strategy(item):
    if item["type"] == "number":
        return st.integers(min_value=item["min"], max_value=item["max"])
    if item["type"] == "date":
        return st.dates(TODAY, TODAY + timedelta(days=120)).map(date.isoformat)
    values = [choice["value"] for choice in QUESTIONNAIRE.choices(item)]
    if item["type"] == "multi":
        return st.lists(st.sampled_from(values), unique=True)
    return st.sampled_from(values)


complete_answers = st.fixed_dictionaries(
    {key: _value_strategy(item) for key, item in QUESTIONNAIRE.items.items()}
)


def profile(answers):
    cleaned, errors = QUESTIONNAIRE.check(
        answers, complete_areas=[area["key"] for area in QUESTIONNAIRE.areas], today=TODAY
    )
    assert not errors
    return needs_profile_compute(DEFINITION, cleaned, on=TODAY)


def priorities(needs_profile):
    return {need.category: need.priority for need in needs_profile.needs}


@settings(max_examples=200, deadline=None)
@given(answers=complete_answers, data=st.data())
def test_more_cannot_answers_never_lower_a_need_priority(answers, data):
    changed = data.draw(st.lists(st.sampled_from(SKILLS), min_size=1, unique=True))
    worse = {**answers, **dict.fromkeys(changed, "cannot")}
    before, after = priorities(profile(answers)), priorities(profile(worse))
    for category, priority in before.items():
        assert category in after and after[category] <= priority


@settings(max_examples=200, deadline=None)
@given(answers=complete_answers, days=st.integers(0, 30))
def test_an_urgent_procedure_always_makes_administrative_help_a_top_priority(answers, days):
    due = {"procedure_due": "yes", "procedure_due_date": (TODAY + timedelta(days)).isoformat()}
    result = profile({**answers, **due})
    assert result.urgent
    assert Service.ADMIN_PROCEDURES.value in result.top_priority_categories
    assert priorities(result)[Service.ADMIN_PROCEDURES.value] == 1


@settings(max_examples=100, deadline=None)
@given(answers=complete_answers)
def test_the_same_answers_always_give_the_same_profile(answers):
    shuffled = dict(reversed(list(answers.items())))
    first = profile(answers)
    assert profile(shuffled) == first == profile(dict(answers))
    assert profile_from_json(profile_to_json(first)) == first


@settings(max_examples=100, deadline=None)
@given(answers=complete_answers)
def test_the_summary_never_holds_sensitive_data(answers):
    summary = profile(answers).summary
    for value in QUESTIONNAIRE.items["specific_needs"]["choices"]:
        assert value["label"] not in summary
    assert "Josette" not in summary and summary.endswith(".")


def test_josette_needs_help_with_procedures_first():
    result = profile(JOSETTE)
    assert result.top_priority_categories == [Service.ADMIN_PROCEDURES.value]
    assert priorities(result)[Service.EVERYDAY_TOOLS.value] == 2
    assert Service.EMPLOYMENT.value not in priorities(result)  # "pas concerné"
    assert result.support_mode == SupportMode.TEACH
    assert not result.urgent
    assert result.constraints.max_travel_km == 15
    assert result.constraints.uses_bus and not result.constraints.has_car
    assert result.constraints.remote_phone and not result.constraints.remote_video
    assert result.constraints.specific_needs == ("Déficience visuelle",)
    assert result.constraints.half_days == ("tu-am", "th-pm")
    assert result.summary == (
        "Besoin d'aide pour faire ses démarches administratives en ligne, avoir un accès à "
        "internet et du matériel, comprendre le monde numérique, se servir des outils "
        "numériques du quotidien, utiliser internet en sécurité et s'équiper d'un matériel à "
        "prix solidaire. La personne souhaite apprendre à faire seule. Elle peut se déplacer "
        "jusqu'à 15 km en bus. Une aide à distance est possible par téléphone. Disponible le "
        "mardi matin et jeudi après-midi."
    )


def test_a_due_date_far_away_is_not_urgent_but_rights_at_risk_are():
    far = {"procedure_due": "yes", "procedure_due_date": "2027-03-01"}
    assert not profile({**JOSETTE, **far}).urgent
    result = profile({**JOSETTE, "rights_at_risk": "yes"})
    assert result.urgent and "des droits risquent d'être suspendus" in result.summary


def test_urgent_and_not_at_ease_with_the_basics_means_someone_does_it_for_the_person():
    result = profile({**JOSETTE, "rights_at_risk": "yes"})
    assert result.support_mode == SupportMode.DO_FOR
    at_ease = dict.fromkeys(("use_device", "browse", "email", "scan_send"), "autonomous")
    assert profile({**JOSETTE, **at_ease, "rights_at_risk": "yes"}).support_mode == (
        SupportMode.TEACH
    )


def test_a_person_autonomous_everywhere_has_no_need():
    answers = {
        **JOSETTE,
        **dict.fromkeys(SKILLS, "autonomous"),
        "has_smartphone": "yes",
        "has_computer": "yes",
        "has_printer": "yes",
        "internet_home": "box",
        "data_enough": "yes",
    }
    result = profile(answers)
    assert result.needs == ()
    assert result.summary.startswith("Le diagnostic ne fait pas apparaître de besoin")


def test_a_bare_checklist_still_gives_a_profile():
    assert NeedsProfile.from_categories(["A", "B"]).top_priority_categories == ["A", "B"]


# --- Priorities that discriminate (version 3) -------------------------------------------------

# Born 1951, lives in Gramat, landline only, no computer: can do nothing online; needs help
# with her CAF, ameli and impôts accounts. Jobs and children do not concern her.
NOTHING_ONLINE = {
    **JOSETTE,
    **dict.fromkeys(SKILLS, "cannot"),
    **dict.fromkeys(("france_travail", "cv", "apply", "ft_space"), "not_applicable"),
    **dict.fromkeys(("school_ent", "parental_control"), "not_applicable"),
    "has_smartphone": "no",
    "has_computer": "no",
    "has_printer": "no",
    "internet_home": "none",
    "data_enough": "no",
}
ADMIN = Service.ADMIN_PROCEDURES.value
TOOLS = Service.EVERYDAY_TOOLS.value


def test_a_person_who_can_do_nothing_online_does_not_get_every_need_at_priority_1():
    named = profile({**NOTHING_ONLINE, "main_needs": [ADMIN]})
    assert named.top_priority_categories == [ADMIN]
    assert set(priorities(named).values()) == {1, 2}
    assert len(named.needs) >= 5  # every other need is still there, at priority 2

    # Nothing named: what she wants to do first (procedures, everyday tools) comes before the
    # means (equipment, internet access, safety, understanding).
    unnamed = profile(NOTHING_ONLINE)
    assert unnamed.top_priority_categories == [ADMIN, TOOLS]
    assert all(
        priority == 2
        for category, priority in priorities(unnamed).items()
        if category not in (ADMIN, TOOLS)
    )


def test_a_version_already_used_keeps_its_rule():
    """Version 2 had no such rule: an assessment made on it gives the same profile as before."""
    from assessments.services import QUESTIONNAIRE_FILES

    second = json.loads(QUESTIONNAIRE_FILES[1].read_text(encoding="utf-8"))
    answers = {key: value for key, value in NOTHING_ONLINE.items() if key != "main_needs"}
    result = needs_profile_compute(second, answers, on=TODAY)
    assert set(priorities(result).values()) == {1}


def test_a_need_named_without_any_point_is_still_a_need_at_priority_1():
    result = profile({**JOSETTE, "main_needs": [Service.EMPLOYMENT.value]})
    assert result.top_priority_categories == [Service.EMPLOYMENT.value]
    assert priorities(result)[ADMIN] == 2  # was 1 before she said what she comes for


@settings(max_examples=200, deadline=None)
@given(answers=complete_answers)
def test_the_needs_named_and_only_they_are_at_priority_1_unless_urgent(answers):
    result = profile(answers)
    named = set(answers["main_needs"])
    top = {category for category, priority in priorities(result).items() if priority == 1}
    if named:
        assert top == named | ({ADMIN} if result.urgent else set())
    else:
        rules = QUESTIONNAIRE.rules
        assert not top & set(rules["priority_1_when_named_only"])


def test_the_priority_rules_are_checked_before_a_version_is_stored():
    from assessments.questionnaire import definition_errors

    assert definition_errors(DEFINITION) == []
    wrong = json.loads(json.dumps(DEFINITION))
    wrong["rules"]["priority_named_item"] = "half_days"  # its answers are not needs
    wrong["rules"]["priority_1_when_named_only"] = ["Cuisine"]
    errors = [str(error) for error in definition_errors(wrong)]
    assert any(error.startswith("« priority_named_item » doit être") for error in errors)
    assert any(error.startswith("« priority_1_when_named_only » doit lister") for error in errors)
