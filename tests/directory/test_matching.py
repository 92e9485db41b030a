"""Matching against the database: loading, explanations, live load, why-not, unmet needs, API."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.profile import Constraints, NeedPriority, NeedsProfile, SupportMode
from directory.enums import Service, SpecificNeed
from directory.models import Absence, Permanence, UnmetNeed
from matching.engine import advisors_rank, advisors_suggest
from matching.services import suggestions_for_person
from referrals import services as referral_services
from referrals.models import DeclineReason, ReferralState
from tests.factories import (
    AdvisorFactory,
    PersonFactory,
    PlaceFactory,
    ReferralFactory,
    UserFactory,
    commune,
)

pytestmark = pytest.mark.django_db

ADMIN = Service.ADMIN_PROCEDURES.value
TOOLS = Service.EVERYDAY_TOOLS.value
JOBS = Service.EMPLOYMENT.value
THURSDAY = date(2026, 11, 26)


def profile(*needs, **constraints):
    return NeedsProfile(
        needs=tuple(NeedPriority(category, priority) for category, priority in needs),
        constraints=Constraints(**constraints),
    )


def permanence(advisor, weekday, start=time(9, 0), end=time(12, 0)):
    return Permanence.objects.create(
        advisor=advisor, place=advisor.places.first(), weekday=weekday, start=start, end=end
    )


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_each_suggestion_reads_as_a_sentence_with_its_criteria():
    gramat = commune("46128")
    advisor = AdvisorFactory(place_commune="46128", capacity=15)
    permanence(advisor, weekday=1)  # Tuesday morning
    for _n in range(8):
        ReferralFactory(advisor=advisor, accepted=True)
    ReferralFactory(advisor=advisor, completed=True)  # closed: not counted

    ranking = advisors_rank(profile=profile((ADMIN, 1), (TOOLS, 2), (JOBS, 2)), commune=gramat)

    (suggestion,) = ranking.suggestions
    assert suggestion.explanation == (
        "0 km — permanence à Gramat le mardi matin — 8 accompagnements en cours sur 15 — "
        f"couvre 2 besoins sur 3, ne couvre pas : {JOBS}"
    )
    criteria = {c.code: c for c in suggestion.criteria}
    assert criteria["needs"].value == 2 and criteria["needs"].score == pytest.approx(1.5 / 2)
    assert criteria["load"].value == 8 and criteria["load"].score == pytest.approx(7 / 15)
    assert criteria["next_date"].value == THURSDAY + timedelta(days=5)
    assert criteria["distance"].value == 0
    assert suggestion.uncovered == (JOBS,)
    assert set(criteria) == {
        "needs", "distance", "next_date", "availability", "load", "specific", "format",
        "continuity",
    }  # fmt: skip


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_advisors_left_out_are_listed_with_the_reason():
    gramat = commune("46128")
    ok = AdvisorFactory(place_commune="46128")
    lacks = AdvisorFactory(place_commune="46128", themes=[JOBS])
    full = AdvisorFactory(place_commune="46128", capacity=1)
    ReferralFactory(advisor=full, accepted=True)
    inactive = AdvisorFactory(place_commune="46128", is_active=False)
    away = AdvisorFactory(place_commune="46128")
    Absence.objects.create(advisor=away, start=THURSDAY, end=THURSDAY + timedelta(days=6))
    far = AdvisorFactory(place_commune="46042")  # Cahors, about 45 km

    ranking = advisors_rank(profile=profile((ADMIN, 1), max_travel_km=30), commune=gramat)

    # Covering none of the needs is no reason to leave an advisor out: it comes last and says so.
    assert [s.advisor for s in ranking] == [ok, lacks]
    assert ranking[1].explanation.endswith(f"sur 15 — ne couvre pas : {ADMIN}")
    reasons = {w.advisor: {r.code: r.message for r in w.reasons} for w in ranking.why_not}
    assert reasons[full] == {"full": "Complet : 1 accompagnement en cours sur 1"}
    assert reasons[inactive] == {"inactive": "Fiche inactive"}
    assert reasons[away] == {"absent": "Absent, de retour le jeudi 3 décembre"}
    assert reasons[far]["out_of_reach"].startswith("Lieu le plus proche à 4")
    assert reasons[far]["out_of_reach"].endswith("(limite : 30 km)")


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_reach_by_home_visit_remote_help_accessibility_and_aidants_connect():
    gramat = commune("46128")
    home = AdvisorFactory(place_commune="46042")
    home.home_visit_communes.add(gramat)
    remote = AdvisorFactory(place_commune="46102", remote_phone=True)  # Figeac, same département
    stairs = AdvisorFactory(place_commune="46128")
    ramp = AdvisorFactory(place_commune="46128", aidants_connect=True)
    ramp.places.update(specific_support=[SpecificNeed.MOTOR.value])

    at_home = advisors_rank(profile=profile((ADMIN, 1), home_visit=True), commune=gramat)
    assert [s.advisor for s in at_home] == [home]
    assert at_home[0].explanation.startswith("se déplace à domicile à Gramat")

    by_phone = advisors_rank(
        profile=profile((ADMIN, 1), max_travel_km=0, remote_phone=True), commune=gramat
    )
    assert {s.advisor for s in by_phone} == {home, remote, stairs, ramp}
    assert next(s for s in by_phone if s.advisor == remote).explanation.startswith(
        "à distance (téléphone)"
    )

    wheelchair = NeedsProfile(
        needs=(NeedPriority(ADMIN, 1),),
        support_mode=SupportMode.DO_FOR,
        constraints=Constraints(max_travel_km=10, specific_needs=(SpecificNeed.MOTOR.value,)),
    )
    ranking = advisors_rank(profile=wheelchair, commune=gramat)
    assert [s.advisor for s in ranking] == [ramp]
    reasons = {w.advisor: [r.code for r in w.reasons] for w in ranking.why_not}
    assert reasons[stairs] == ["no_aidants_connect", "out_of_reach"]


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_live_load_and_recent_capacity_declines_push_an_advisor_down():
    gramat = commune("46128")
    busy = AdvisorFactory(place_commune="46128", capacity=4, user__last_name="Aubry")
    free = AdvisorFactory(place_commune="46128", capacity=4, user__last_name="Bories")
    assert [s.advisor for s in advisors_suggest(needs=[ADMIN], commune=gramat)] == [busy, free]

    ReferralFactory(
        advisor=busy,
        declined=True,
        decline_reason=DeclineReason.NO_CAPACITY,
        answered_at=timezone.now() - timedelta(days=3),
    )
    ranking = advisors_suggest(needs=[ADMIN], commune=gramat)

    assert [s.advisor for s in ranking] == [free, busy]
    assert "1 refus faute de place" in ranking[1].explanation


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_weights_come_from_the_settings(settings):
    gramat = commune("46128")
    near_busy = AdvisorFactory(place_commune="46128", capacity=2)
    ReferralFactory(advisor=near_busy)
    far_free = AdvisorFactory(place_commune="46042", capacity=2)

    assert [s.advisor for s in advisors_suggest(needs=[ADMIN], commune=gramat)] == [
        near_busy,
        far_free,
    ]
    settings.PASIP_MATCHING = {"weights": {"distance": 0, "load": 100}}
    assert [s.advisor for s in advisors_suggest(needs=[ADMIN], commune=gramat)] == [
        far_free,
        near_busy,
    ]


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_continuity_favours_the_advisor_who_already_helped_the_person():
    person = PersonFactory()
    first = AdvisorFactory(place_commune="46128", user__last_name="Aubry")
    known = AdvisorFactory(place_commune="46128", user__last_name="Bories")
    ReferralFactory(person=person, advisor=known, completed=True)

    ranking = advisors_rank(profile=profile((ADMIN, 1)), commune=person.commune, person=person)

    assert [s.advisor for s in ranking] == [known, first]
    assert "a déjà accompagné cette personne" in ranking[0].explanation


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_needs_with_no_advisor_within_reach_are_recorded_once_per_person_and_month():
    person = PersonFactory()  # Gramat
    advisor = AdvisorFactory(place_commune="46128", themes=[ADMIN])
    needs = profile((ADMIN, 1), (JOBS, 2), (TOOLS, 2))

    ranking = advisors_rank(profile=needs, commune=person.commune, person=person)
    suggestions_for_person(person, needs)  # shown again: showing the ranking writes nothing
    assert not UnmetNeed.objects.exists()
    for _ in range(2):  # recorded by the sending, once per person, need and month
        referral_services.referral_send(
            user=person.created_by, person=person, advisor=advisor, needs=[ADMIN, JOBS, TOOLS]
        )

    assert set(ranking.unmet_needs) == {JOBS, TOOLS}
    rows = UnmetNeed.objects.order_by("category")
    assert [(r.commune.insee, r.category, r.month) for r in rows] == [
        ("46128", JOBS, date(2026, 11, 1)),
        ("46128", TOOLS, date(2026, 11, 1)),
    ]


def test_a_pick_outside_the_suggestions_is_recorded_as_such():
    person = PersonFactory()
    suggested = AdvisorFactory(place_commune="46128")
    other = AdvisorFactory(place_commune="46128", capacity=0)  # full
    ranking = advisors_suggest(needs=[ADMIN], commune=person.commune)
    assert other in [w.advisor for w in ranking.why_not]

    referral = referral_services.referral_send(
        user=person.created_by, person=person, advisor=other, needs=[ADMIN]
    )
    assert (referral.was_suggested, referral.suggested_rank) == (False, None)
    referral = referral_services.referral_send(
        user=person.created_by, person=person, advisor=suggested, needs=[ADMIN]
    )
    assert (referral.was_suggested, referral.suggested_rank) == (True, 1)


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_the_suggestions_page_lists_the_ranked_and_the_left_out_advisors():
    person = PersonFactory()
    AdvisorFactory(place_commune="46128", user__first_name="Mathieu", user__last_name="Lacombe")
    AdvisorFactory(place_commune="46128", user__last_name="Sansthème", themes=[JOBS])
    full = AdvisorFactory(place_commune="46042", user__last_name="Complet", capacity=2)
    permanence(full, weekday=1)  # Tuesday morning, in Cahors
    for _n in range(2):
        ReferralFactory(advisor=full)
    ranking = advisors_rank(profile=profile((ADMIN, 1), (JOBS, 2)), commune=person.commune)

    html = render_to_string(
        "referrals/suggestions.html",
        {"person": person, "needs": [ADMIN, JOBS], "suggestions": ranking, "form": None},
    )

    assert "Mathieu Lacombe" in html and "0 km" in html and "couvre 1 besoin sur 2" in html
    assert f"ne couvre pas : {JOBS}" in html and f"ne couvre pas : {ADMIN}" in html
    assert "Conseillers non suggérés, et pourquoi" in html
    # Each advisor left out: the reason, then the distance, the next permanence and the load.
    assert "Complet : 2 accompagnements en cours sur 2" in html
    assert (
        "à 43 km · prochaine permanence le mardi 1 décembre matin à Cahors · "
        "2 accompagnements en cours sur 2"
    ) in html
    assert html.count('name="advisor"') == 3
    assert "checked" not in html  # the social worker chooses: nothing is pre-selected


def test_the_matching_api_gives_the_explanation_as_data():
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    AdvisorFactory(place_commune="46128", capacity=0)
    client = APIClient()
    client.force_authenticate(social_worker)
    body = {
        "commune": "46128",
        "profile": {
            "needs": [{"category": ADMIN, "priority": 1}, {"category": JOBS, "priority": 2}],
            "support_mode": "faire_avec",
            "constraints": {"max_travel_km": 15, "languages": ["fr", "en"]},
        },
    }

    response = client.post("/api/v1/matching/", body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["max_travel_km"] == 15
    (suggestion,) = data["suggestions"]
    assert suggestion["advisor"] == advisor.pk and suggestion["distance_km"] < 1
    assert {c["code"] for c in suggestion["criteria"]} >= {"needs", "distance", "load"}
    assert next(c for c in suggestion["criteria"] if c["code"] == "needs")["value"] == 1
    assert data["why_not"][0]["reasons"][0]["code"] == "full"
    legacy = client.post("/api/v1/suggestions/", {"commune": "46128", "needs": [ADMIN]})
    assert legacy.json()[0]["advisor"] == advisor.pk and "explanation" in legacy.json()[0]


def test_the_matching_api_refuses_an_advisor_and_checks_its_input():
    client = APIClient()
    client.force_authenticate(UserFactory(advisor=True))
    refused = client.post("/api/v1/matching/", {"commune": "46128", "needs": [ADMIN]})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"

    client.force_authenticate(UserFactory())
    invalid = client.post("/api/v1/matching/", {"commune": "99999", "needs": ["Cuisine"]})
    assert invalid.status_code == 400
    assert set(invalid.json()["errors"]) == {"commune", "needs"}
    other_person = PersonFactory()
    hidden = client.post(
        "/api/v1/matching/", {"commune": "46128", "needs": [ADMIN], "person": other_person.pk}
    )
    assert hidden.status_code == 400 and "person" in hidden.json()["errors"]


def test_a_place_far_away_in_the_country_is_never_loaded():
    PlaceFactory(latitude=48.85, longitude=2.35)  # Paris, no advisor
    advisor = AdvisorFactory(place_commune="46128")
    advisor.places.add(PlaceFactory(latitude=43.3, longitude=5.37))  # Marseille

    ranking = advisors_suggest(needs=[ADMIN], commune=commune("46042"))

    assert ranking[0].advisor == advisor
    assert ranking[0].place.commune == "Gramat"


@time_machine.travel("2026-11-26 10:00 +01:00", tick=False)
def test_the_live_load_counts_open_referrals_recent_capacity_declines_and_the_persons_own():
    from matching.candidates import live_load
    from matching.engine import matching_config

    advisor, other = AdvisorFactory(), AdvisorFactory()
    person = PersonFactory()
    now = timezone.now()
    for state in (ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS):
        ReferralFactory(advisor=advisor, lifecycle=state)
    for _ in range(3):  # closed: not the load
        ReferralFactory(advisor=advisor, completed=True)
    ReferralFactory(person=person, advisor=advisor, completed=True)
    for days, reason in ((3, DeclineReason.NO_CAPACITY), (40, DeclineReason.NO_CAPACITY)):
        ReferralFactory(
            advisor=advisor,
            declined=True,
            decline_reason=reason,
            answered_at=now - timedelta(days=days),
        )
    ReferralFactory(
        advisor=advisor,
        declined=True,
        decline_reason=DeclineReason.NEED_NOT_COVERED,
        answered_at=now - timedelta(days=1),
    )
    ReferralFactory(advisor=other, expired=True)
    config = matching_config()

    load = live_load(pks=[advisor.pk, other.pk], person=person, config=config)
    assert load == {advisor.pk: (3, 1, True)}  # nothing that counts for the other advisor
    assert live_load(pks=[advisor.pk], person=None, config=config) == {advisor.pk: (3, 1, False)}
    stranger = PersonFactory()
    assert live_load(pks=[advisor.pk], person=stranger, config=config)[advisor.pk][2] is False
