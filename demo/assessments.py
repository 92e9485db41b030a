"""Demo assessments: plausible answers to the real questionnaire for a person who needs some help.

Used by the demo data (demo/referrals.py). The answers are drawn item by item from the
questionnaire's own definition, then checked and turned into a needs profile by the real
functions, never written by hand; each need asked for is sure to come out of the profile.
"""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Assessment
from assessments.profile import item_points, needs_profile_compute, profile_to_json

# How often a need's skill is mastered: for a need the person has, and for the others.
SKILL_WEIGHTS = {
    True: {"cannot": 45, "with_help": 40, "autonomous": 15},
    False: {"cannot": 4, "with_help": 21, "autonomous": 75},
}
# Answers that are not skills, weighted where the first drawn at random would look odd.
CHOICE_WEIGHTS = {
    "support_wish": {"do_for": 25, "do_with": 45, "learn": 30},
    "french_level": {"fluent": 86, "basic": 11, "little": 3},
    "home_visit": {"no": 88, "yes": 12},
}
# For multiple choices: how likely each answer is to be ticked.
MULTI_ODDS = {
    "transport": {"car": 0.6, "bus": 0.3},
    "remote": {"phone": 0.45, "video": 0.15},
    "languages": {"fr": 1.0, "en": 0.04, "es": 0.03, "pt": 0.03, "ar": 0.03, "tr": 0.02},
    "specific_needs": {"Déficience visuelle": 0.05, "Surdité": 0.04, "Illettrisme": 0.04},
}
HALF_DAY_ODDS = 0.35
TRAVEL_KM = {0: 5, 5: 15, 10: 25, 15: 20, 20: 15, 30: 12, 50: 8}


def demo_assessment(rng, *, version, person, created_by, needs, started_at, validated_at):
    """A validated assessment (not saved) showing at least `needs`, made from `started_at` to
    `validated_at`; its profile is computed on that day."""
    questionnaire = version.questionnaire
    day = timezone.localdate(validated_at)
    answers = _answers_draw(rng, questionnaire, set(needs), day)
    cleaned, errors = questionnaire.check(
        answers, complete_areas=[area["key"] for area in questionnaire.areas], today=day
    )
    if errors:  # the questionnaire changed in a way these draws do not know
        raise ValueError(f"Réponses de démonstration refusées : {errors}")
    profile = needs_profile_compute(version.definition, cleaned, on=day)
    missing = set(needs) - set(profile.categories)
    if missing:
        raise ValueError(f"Le profil de démonstration ne montre pas : {sorted(missing)}")
    return Assessment(
        person=person,
        created_by=created_by,
        created_at=started_at,
        status=Assessment.Status.VALIDATED,
        answers=cleaned,
        profile=profile_to_json(profile),
        version=version,
        validated_at=validated_at,
    )


def _answers_draw(rng, questionnaire, needs, day):
    answers = {}
    for item in questionnaire.items.values():
        if questionnaire.is_asked(item, answers):
            answers[item["key"]] = _answer_draw(rng, questionnaire, item, needs, day)
    for need in sorted(needs):  # one item, at least, says each need plainly
        shown = [
            item
            for item in questionnaire.items.values()
            if need in item_points(questionnaire, item) and "urgent_if" not in item
        ]
        item = rng.choice(shown)
        points = item_points(questionnaire, item)[need]
        answers[item["key"]] = max(points, key=points.get)
    for item in questionnaire.items.values():  # questions asked or not after that
        if not questionnaire.is_asked(item, answers):
            answers.pop(item["key"], None)
        elif item["key"] not in answers:
            answers[item["key"]] = _answer_draw(rng, questionnaire, item, needs, day)
    return answers


def _answer_draw(rng, questionnaire, item, needs, day):
    kind, key = item["type"], item["key"]
    values = questionnaire.values(item)
    points = item_points(questionnaire, item)
    concerned = bool(needs & set(points))
    if kind == "skill":
        if item.get("not_applicable") and rng.random() < (0.1 if concerned else 0.55):
            return "not_applicable"
        return _weighted(rng, SKILL_WEIGHTS[concerned])
    if kind == "number":
        km = _weighted(rng, TRAVEL_KM)
        return min(max(km, item.get("min", km)), item.get("max", km))
    if kind == "date":
        return (day + timedelta(days=rng.randint(4, 75))).isoformat()
    if kind == "multi":
        odds = MULTI_ODDS.get(key, dict.fromkeys(values, HALF_DAY_ODDS))
        return [value for value in values if rng.random() < odds.get(value, 0)]
    if "urgent_if" in item:
        urgent = rng.random() < (0.2 if concerned else 0.02)
        others = [value for value in values if value != item["urgent_if"]]
        return item["urgent_if"] if urgent else rng.choice(others)
    if points:
        showing = {value for scale in points.values() for value, got in scale.items() if got > 0}
        show = rng.random() < (0.7 if concerned else 0.12)
        return rng.choice([value for value in values if (value in showing) == show] or values)
    return _weighted(rng, CHOICE_WEIGHTS.get(key, dict.fromkeys(values, 1)))


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]
