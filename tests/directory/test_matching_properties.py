"""Properties of the pure matching engine, on generated directories (no database)."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.profile import Constraints, NeedPriority, NeedsProfile, SupportMode
from directory.enums import Service, SpecificNeed, SupportFormat
from matching.engine import (
    DEFAULTS,
    Candidate,
    Origin,
    PermanenceInfo,
    PlaceInfo,
    rank,
    suggestible,
)
from territory.models import haversine_km

pytestmark = pytest.mark.slow  # hundreds of generated directories per property

TODAY = date(2026, 11, 26)
GRAMAT = Origin("Gramat", 44.7806, 1.7258, "46128")
SERVICES = [s.value for s in Service]
HOURS = [(time(9, 0), time(12, 0)), (time(14, 0), time(17, 0)), (time(10, 0), time(16, 0))]
HALF_DAYS = [f"{day}-{part}" for day in ("mo", "tu", "we", "th", "fr") for part in ("am", "pm")]

places = st.builds(
    PlaceInfo,
    pk=st.integers(1, 10_000),
    name=st.sampled_from(["Médiathèque", "Mairie", "France Services"]),
    commune=st.sampled_from(["Gramat", "Cahors", "Figeac"]),
    latitude=st.floats(44.2, 45.1),
    longitude=st.floats(1.0, 2.3),
    accessible=st.booleans(),
)
absences = st.tuples(st.integers(-10, 40), st.integers(0, 40)).map(
    lambda pair: (TODAY + timedelta(days=pair[0]), TODAY + timedelta(days=pair[0] + pair[1]))
)


@st.composite
def candidates(draw, pk=None):
    candidate_places = tuple(draw(st.lists(places, max_size=3, unique_by=lambda p: p.pk)))
    permanences = tuple(
        PermanenceInfo(place.pk, draw(st.integers(0, 5)), *draw(st.sampled_from(HOURS)))
        for place in candidate_places
        if draw(st.booleans())
    )
    return Candidate(
        pk=pk if pk is not None else draw(st.integers(1, 10_000)),
        name=draw(st.sampled_from(["Camille Delpech", "Julien Lacoste", "Sophie Cayla"])),
        structure="Structure",
        is_active=draw(st.booleans()),
        themes=frozenset(draw(st.lists(st.sampled_from(SERVICES), max_size=5))),
        support_formats=frozenset(
            draw(st.lists(st.sampled_from([f.value for f in SupportFormat]), max_size=3))
        ),
        languages=frozenset(draw(st.lists(st.sampled_from(["fr", "en", "es"]), max_size=2))),
        specific_needs=frozenset(
            draw(st.lists(st.sampled_from([n.value for n in SpecificNeed]), max_size=2))
        ),
        places=candidate_places,
        permanences=permanences,
        absences=tuple(draw(st.lists(absences, max_size=2))),
        serves_at_home=draw(st.booleans()),
        remote_phone=draw(st.booleans()),
        remote_video=draw(st.booleans()),
        remote_reach=draw(st.booleans()),
        aidants_connect=draw(st.booleans()),
        capacity=draw(st.integers(0, 20)),
        open_referrals=draw(st.integers(0, 25)),
        capacity_declines=draw(st.integers(0, 3)),
        helped_person=draw(st.booleans()),
    )


@st.composite
def directories(draw):
    count = draw(st.integers(0, 8))
    return [draw(candidates(pk=pk)) for pk in range(1, count + 1)]


@st.composite
def profiles(draw):
    categories = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=4, unique=True))
    return NeedsProfile(
        needs=tuple(NeedPriority(c, draw(st.integers(1, 3))) for c in categories),
        support_mode=draw(
            st.sampled_from([SupportMode.DO_FOR, SupportMode.DO_WITH, SupportMode.TEACH])
        ),
        urgent=draw(st.booleans()),
        constraints=Constraints(
            max_travel_km=draw(st.one_of(st.none(), st.floats(0, 80))),
            home_visit=draw(st.booleans()),
            remote_phone=draw(st.booleans()),
            remote_video=draw(st.booleans()),
            languages=tuple(draw(st.lists(st.sampled_from(["fr", "en", "es"]), max_size=2))),
            specific_needs=tuple(
                draw(st.lists(st.sampled_from([n.value for n in SpecificNeed]), max_size=2))
            ),
            half_days=tuple(draw(st.lists(st.sampled_from(HALF_DAYS), unique=True, max_size=4))),
        ),
    )


def ranking(profile, directory, **kwargs):
    return rank(
        profile=profile, origin=GRAMAT, candidates=directory, today=TODAY, config=DEFAULTS, **kwargs
    )


def fails_a_hard_condition(candidate, profile):
    """The hard conditions, restated independently of the engine (the needs are not one)."""
    if not candidate.is_active:
        return True
    if any(first <= TODAY <= last for first, last in candidate.absences):
        return True
    if candidate.open_referrals >= candidate.capacity:
        return True
    return profile.support_mode == SupportMode.DO_FOR and not candidate.aidants_connect


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), directory=directories())
def test_an_advisor_failing_a_hard_condition_is_never_suggested_and_is_said_why(profile, directory):
    result = ranking(profile, directory)

    suggested = {s.candidate.pk for s in result.suggestions}
    # The live load is read only for these: among them, only the full are left out.
    eligible = suggestible(
        profile=profile, origin=GRAMAT, candidates=directory, today=TODAY, config=DEFAULTS
    )
    assert suggested == {
        c.pk for c in directory if c.pk in eligible and c.open_referrals < c.capacity
    }
    for candidate in directory:
        if fails_a_hard_condition(candidate, profile):
            assert candidate.pk not in suggested
    assert suggested.isdisjoint({w.candidate.pk for w in result.why_not})
    assert len(suggested) + len(result.why_not) == len(directory)
    assert all(w.reasons and all(r.message for r in w.reasons) for w in result.why_not)
    assert [s.rank for s in result.suggestions] == list(range(1, len(result.suggestions) + 1))


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), candidate=candidates(pk=1), data=st.data())
def test_removing_a_need_the_advisor_lacks_never_lowers_the_advisors_score(
    profile, candidate, data
):
    lacking = [n for n in profile.needs if n.category not in candidate.themes]
    if not lacking or len(profile.needs) < 2:
        return
    removed = data.draw(st.sampled_from(lacking))
    smaller = replace(profile, needs=tuple(n for n in profile.needs if n != removed))

    before = ranking(profile, [candidate]).suggestions
    after = ranking(smaller, [candidate]).suggestions

    if before:
        assert after, "suggested with more needs, dropped with fewer"
        assert after[0].score >= before[0].score


@settings(max_examples=100, deadline=None)
@given(profile=profiles(), candidate=candidates(pk=1), directory=directories())
def test_an_advisor_absent_on_every_date_is_never_suggested(profile, candidate, directory):
    away = replace(
        candidate,
        pk=10_001,
        absences=((TODAY - timedelta(days=30), TODAY + timedelta(days=400)),),
        is_active=True,
    )

    result = ranking(profile, [*directory, away])

    assert away.pk not in {s.candidate.pk for s in result.suggestions}
    why = next(w for w in result.why_not if w.candidate.pk == away.pk)
    assert "absent" in {reason.code for reason in why.reasons}


@settings(max_examples=100, deadline=None)
@given(profile=profiles(), directory=directories(), seed=st.randoms())
def test_the_order_is_the_same_for_the_same_data_whatever_the_input_order(profile, directory, seed):
    shuffled = list(directory)
    seed.shuffle(shuffled)

    first = ranking(profile, directory)
    second = ranking(profile, shuffled)

    assert [s.candidate.pk for s in first] == [s.candidate.pk for s in second]
    assert [s.explanation for s in first] == [s.explanation for s in second]
    assert [w.candidate.pk for w in first.why_not] == [w.candidate.pk for w in second.why_not]


@settings(max_examples=100, deadline=None)
@given(profile=profiles(), candidate=candidates(pk=1))
def test_two_advisors_equal_but_for_their_id_come_in_id_order(profile, candidate):
    twin = replace(candidate, pk=2)
    result = ranking(profile, [twin, candidate])
    pks = [s.candidate.pk for s in result]
    assert pks in ([], [1, 2])


lot_origins = st.builds(
    Origin,
    name=st.just("Commune du Lot"),
    latitude=st.floats(44.25, 45.05),
    longitude=st.floats(1.05, 2.2),
)


def within_reach(candidate, profile, origin):
    """Can meet the person and take them on, restated independently of the engine."""
    constraints = profile.constraints
    limit = 50 if constraints.max_travel_km is None else constraints.max_travel_km
    motor = SpecificNeed.MOTOR.value in constraints.specific_needs
    by_place = not constraints.home_visit and any(
        (place.accessible or not motor)
        and haversine_km(origin.latitude, origin.longitude, place.latitude, place.longitude)
        <= limit
        for place in candidate.places
    )
    remote = candidate.remote_reach and (
        (constraints.remote_phone and candidate.remote_phone)
        or (constraints.remote_video and candidate.remote_video)
    )
    return (by_place or candidate.serves_at_home or remote) and not fails_a_hard_condition(
        candidate, profile
    )


@settings(max_examples=300, deadline=None)
@given(profile=profiles(), directory=directories(), origin=lot_origins)
def test_a_person_with_a_need_always_gets_a_suggestion_when_an_advisor_is_within_reach(
    profile, directory, origin
):
    assert profile.needs
    result = rank(
        profile=profile, origin=origin, candidates=directory, today=TODAY, config=DEFAULTS
    )

    reachable = {c.pk for c in directory if within_reach(c, profile, origin)}
    assert {s.candidate.pk for s in result.suggestions} == reachable
    if reachable:
        assert result.suggestions
    for suggestion in result.suggestions:
        themes = suggestion.candidate.themes
        missing = [n.category for n in profile.needs if n.category not in themes]
        assert list(suggestion.uncovered) == list(dict.fromkeys(missing))
        if missing:
            assert f"ne couvre pas : {', '.join(dict.fromkeys(missing))}" in suggestion.explanation
    # Needs covered first: the needs score never rises down the list.
    needs = [s.needs_score for s in result.suggestions]
    assert needs == sorted(needs, reverse=True)


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), candidate=candidates(pk=1))
def test_permanences_moved_into_the_persons_half_days_count_as_available(profile, candidate):
    """Moving an advisor's permanences into one of the person's half-days makes the next one
    a permanence she can attend, said so, and never lowers the availability criterion."""
    if not profile.constraints.half_days:
        return
    day, part = profile.constraints.half_days[0].split("-")
    weekday = ["mo", "tu", "we", "th", "fr"].index(day)
    hours = HOURS[0] if part == "am" else HOURS[1]
    moved = replace(
        candidate,
        permanences=tuple(
            replace(p, weekday=weekday, start=hours[0], end=hours[1]) for p in candidate.permanences
        ),
    )
    before = {s.candidate.pk: s for s in ranking(profile, [candidate])}
    after = {s.candidate.pk: s for s in ranking(profile, [moved])}
    assert before.keys() == after.keys()
    if before and after[1].mode == "place" and candidate.permanences:
        availability = {c.code: c for c in after[1].criteria}["availability"]
        next_date = {c.code: c for c in after[1].criteria}["next_date"]
        if next_date.value is not None:
            assert availability.score == 1.0 and "quand la personne est disponible" in (
                after[1].explanation
            )
        old = {c.code: c for c in before[1].criteria}
        assert availability.score >= old["availability"].score
