"""The ranking rule of the pure engine: needs covered first, then the other criteria; the
half-days the person is available; what each suggestion does not cover (no database)."""

from dataclasses import replace
from datetime import date, time

from assessments.profile import Constraints, NeedPriority, NeedsProfile
from directory.enums import Service
from matching.engine import DEFAULTS, Candidate, Origin, PermanenceInfo, PlaceInfo, rank

THURSDAY = date(2026, 11, 26)
TUESDAY = date(2026, 12, 1)
GRAMAT = Origin("Gramat", 44.7806, 1.7258, "46128")
ADMIN = Service.ADMIN_PROCEDURES.value
TOOLS = Service.EVERYDAY_TOOLS.value
JOBS = Service.EMPLOYMENT.value
IN_GRAMAT = PlaceInfo(1, "France Services", "Gramat", 44.7806, 1.7258)
IN_ROCAMADOUR = PlaceInfo(2, "Mairie", "Rocamadour", 44.7994, 1.6181)  # about 9 km
MORNING, AFTERNOON = (time(9, 0), time(12, 0)), (time(14, 0), time(17, 0))


def advisor(pk, *, themes=(ADMIN, TOOLS, JOBS), place=IN_GRAMAT, slots=(), **fields):
    return Candidate(
        pk=pk,
        name=f"Conseiller {pk}",
        themes=frozenset(themes),
        places=(place,),
        permanences=tuple(PermanenceInfo(place.pk, day, *hours) for day, hours in slots),
        **fields,
    )


def needs_profile(*needs, **constraints):
    return NeedsProfile(
        needs=tuple(NeedPriority(category, priority) for category, priority in needs),
        constraints=Constraints(**constraints),
    )


def ranking(profile, candidates, today=THURSDAY):
    return rank(profile=profile, origin=GRAMAT, candidates=candidates, today=today, config=DEFAULTS)


def test_needs_covered_come_before_every_other_criterion():
    # Near, free and open tomorrow, but covering only the second need...
    handy = advisor(1, themes=[TOOLS], slots=[(4, MORNING)])
    # ...against further, busier and later, but covering the top-priority need.
    covering = advisor(
        2, themes=[ADMIN], place=IN_ROCAMADOUR, slots=[(2, AFTERNOON)], open_referrals=12
    )

    result = ranking(needs_profile((ADMIN, 1), (TOOLS, 2)), [handy, covering])

    assert [s.candidate.pk for s in result] == [2, 1]
    assert result[1].score > result[0].score  # the other criteria only order equal coverage
    assert result[0].uncovered == (TOOLS,) and result[1].uncovered == (ADMIN,)
    assert result[0].explanation.endswith(f"couvre 1 besoin sur 2, ne couvre pas : {TOOLS}")


def test_needs_are_weighted_by_priority():
    first_need = advisor(1, themes=[ADMIN])
    two_lesser_needs = advisor(2, themes=[TOOLS, JOBS])

    result = ranking(
        needs_profile((ADMIN, 1), (TOOLS, 3), (JOBS, 3)), [two_lesser_needs, first_need]
    )

    # 1 / 1 against 1 / 3 + 1 / 3: the top-priority need weighs more than two lesser ones.
    assert [s.candidate.pk for s in result] == [1, 2]
    needs = [next(c for c in s.criteria if c.code == "needs") for s in result]
    assert [round(c.score, 3) for c in needs] == [0.6, 0.4]
    assert needs[0].weight is None  # not weighted: ranked first


def test_with_the_same_needs_covered_the_other_criteria_decide():
    busy = advisor(1, open_referrals=10)
    free = advisor(2)
    far = advisor(3, place=IN_ROCAMADOUR)

    result = ranking(needs_profile((ADMIN, 1), (JOBS, 2)), [busy, far, free])

    assert [s.candidate.pk for s in result] == [2, 3, 1]
    scores = [s.score for s in result]
    assert scores == sorted(scores, reverse=True)


def test_ties_go_to_the_nearest_then_by_name_then_id():
    near = advisor(3, slots=[(1, MORNING)])
    # Same score: Rocamadour is within the limit and the distance weight is off.
    config = {**DEFAULTS, "weights": {**DEFAULTS["weights"], "distance": 0}}
    further = replace(
        near, pk=1, places=(IN_ROCAMADOUR,), permanences=(PermanenceInfo(2, 1, *MORNING),)
    )
    twin = replace(near, pk=2)
    named_before = replace(near, pk=4, name="Albane Conseillère")

    result = rank(
        profile=needs_profile((ADMIN, 1)),
        origin=GRAMAT,
        candidates=[further, twin, near, named_before],
        today=THURSDAY,
        config=config,
    )

    assert len({s.score for s in result}) == 1
    assert [s.candidate.pk for s in result] == [4, 2, 3, 1]


def test_an_advisor_covering_no_need_is_still_suggested_last_and_says_so():
    result = ranking(needs_profile((ADMIN, 1)), [advisor(1, themes=[JOBS])])

    (only,) = result
    assert only.explanation.endswith(f"ne couvre pas : {ADMIN}")
    assert not result.why_not


def test_only_true_hard_conditions_leave_an_advisor_out():
    full = advisor(1, capacity=3, open_referrals=3)
    inactive = advisor(2, is_active=False)
    away = advisor(3, absences=((THURSDAY, THURSDAY),))
    too_far = advisor(4, place=PlaceInfo(5, "Mairie", "Cahors", 44.4475, 1.4419))
    partial = advisor(5, themes=[TOOLS])

    result = ranking(
        needs_profile((ADMIN, 1), max_travel_km=20), [full, inactive, away, too_far, partial]
    )

    assert [s.candidate.pk for s in result] == [5]
    reasons = {w.candidate.pk: [r.code for r in w.reasons] for w in result.why_not}
    assert reasons == {1: ["full"], 2: ["inactive"], 3: ["absent"], 4: ["out_of_reach"]}
    assert next(w for w in result.why_not if w.candidate.pk == 1).explanation == (
        "Complet : 3 accompagnements en cours sur 3"
    )


def test_a_person_free_only_in_the_mornings_gets_the_morning_permanence_first():
    mornings = ("mo-am", "tu-am", "we-am", "th-am", "fr-am")
    # On a Tuesday, Wednesday afternoon comes first in the calendar (tomorrow, against next
    # Monday)...
    wednesday_afternoon = advisor(1, slots=[(2, AFTERNOON)])
    # ...but only the Monday morning is a permanence the person can attend.
    monday_morning = advisor(2, slots=[(0, MORNING)])

    result = ranking(
        needs_profile((ADMIN, 1), half_days=mornings),
        [wednesday_afternoon, monday_morning],
        today=TUESDAY,
    )

    assert [s.candidate.pk for s in result] == [2, 1]
    assert "permanence à Gramat le lundi matin, quand la personne est disponible" in (
        result[0].explanation
    )
    assert "permanence à Gramat le mercredi après-midi, hors de ses disponibilités" in (
        result[1].explanation
    )
    criteria = [{c.code: c for c in s.criteria} for s in result]
    assert [c["availability"].score for c in criteria] == [1.0, 0.0]
    assert criteria[0]["next_date"].value == date(2026, 12, 7)
    assert criteria[1]["next_date"].score == 0  # not a date the person can come

    # With no half-day recorded, the Wednesday afternoon is the sooner, and comes first.
    result = ranking(
        needs_profile((ADMIN, 1)), [wednesday_afternoon, monday_morning], today=TUESDAY
    )
    assert [s.candidate.pk for s in result] == [1, 2]
    assert "disponib" not in result[0].explanation


def test_the_next_date_is_the_next_permanence_the_person_can_attend():
    # Friday morning (tomorrow) and Tuesday afternoon: the person is free on Tuesday afternoons.
    both = advisor(1, slots=[(4, MORNING), (1, AFTERNOON)])

    (suggestion,) = ranking(needs_profile((ADMIN, 1), half_days=("tu-pm",)), [both])

    assert suggestion.next_date == date(2026, 12, 1)
    assert suggestion.next_permanence.weekday == 1
    assert "le mardi après-midi, quand la personne est disponible" in suggestion.explanation


def test_availability_does_not_apply_to_a_home_visit():
    home = advisor(1, slots=[(2, AFTERNOON)], serves_at_home=True)

    (suggestion,) = ranking(
        needs_profile((ADMIN, 1), home_visit=True, half_days=("mo-am",)), [home]
    )

    assert suggestion.mode == "home"
    assert "disponib" not in suggestion.explanation
    assert {c.code: c for c in suggestion.criteria}["availability"].score == 1.0
