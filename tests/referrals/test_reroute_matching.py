"""Re-routing suggestions: the same engine on the referral's own assessment (travel limit,
capacity, constraints, half-days), in the order the page's heading says."""

from datetime import time

import pytest
import time_machine
from django.urls import reverse

from assessments.models import Assessment
from assessments.profile import Constraints, NeedPriority, NeedsProfile, profile_to_json
from directory.enums import Service
from directory.models import Permanence
from matching.engine import advisors_rank, advisors_suggest
from referrals import services
from referrals.models import DeclineReason
from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = Service.ADMIN_PROCEDURES.value
TOOLS = Service.EVERYDAY_TOOLS.value
JOBS = Service.EMPLOYMENT.value
NOW = "2026-11-26 10:00 +01:00"  # a Thursday


def advisor(name, *, commune="46128", weekday=None, start=time(9), end=time(12), **fields):
    created = AdvisorFactory(user__last_name=name, place_commune=commune, **fields)
    if weekday is not None:
        Permanence.objects.create(
            advisor=created,
            place=created.places.get(),
            weekday=weekday,
            start=start,
            end=end,
        )
    return created


def declined_referral_with_assessment():
    """Mornings only, 10 km at most; needs help with procedures first, everyday tools next."""
    profile = NeedsProfile(
        needs=(NeedPriority(ADMIN, 1), NeedPriority(TOOLS, 2), NeedPriority(JOBS, 3)),
        constraints=Constraints(max_travel_km=10, half_days=("mo-am", "tu-am", "fr-am")),
    )
    declining = advisor("Declinant", weekday=1)
    referral = ReferralFactory(advisor=declining, needs=[ADMIN, TOOLS])  # jobs left out
    referral.assessment = Assessment.objects.create(
        person=referral.person,
        created_by=referral.referrer,
        profile=profile_to_json(profile),
        status=Assessment.Status.VALIDATED,
    )
    referral.save(update_fields=["assessment"])
    services.referral_decline(
        user=declining.user, referral=referral, reason=DeclineReason.NO_CAPACITY
    )
    return referral, profile


@time_machine.travel(NOW, tick=False)
def test_re_routing_ranks_with_the_referrals_own_assessment(client):
    referral, _profile = declined_referral_with_assessment()
    morning = advisor("Matin", weekday=0)  # Monday morning, in Gramat
    afternoon = advisor("Apresmidi", weekday=2, start=time(14), end=time(17))  # Wednesday pm
    partial = advisor("Partiel", weekday=0, themes=[TOOLS])
    far = advisor("Cahors", commune="46042", weekday=0)  # about 43 km: beyond her 10 km
    full = advisor("Complet", weekday=0, capacity=1)
    ReferralFactory(advisor=full, accepted=True)

    ranking = services.reroute_suggestions(referral)

    assert [s.advisor for s in ranking] == [morning, afternoon, partial]
    assert ranking.max_travel_km == 10
    assert "le lundi matin, quand la personne est disponible" in ranking[0].explanation
    assert "hors de ses disponibilités" in ranking[1].explanation
    assert f"ne couvre pas : {ADMIN}" in ranking[2].explanation
    assert JOBS not in ranking[0].explanation  # only the referral's own needs
    # Within the default 50 km, but beyond her own limit: not even worth a "why not".
    assert far in [
        s.advisor for s in advisors_suggest(needs=[ADMIN], commune=referral.person.commune)
    ]
    reasons = {w.advisor: [r.code for r in w.reasons] for w in ranking.why_not}
    assert far not in reasons
    assert reasons[full] == ["full"]
    assert reasons[referral.advisor] == ["excluded"]

    # The page lists them in that order, under a heading that says so, nothing pre-selected.
    client.force_login(UserFactory(coordinator=True))
    page = client.get(reverse("referral_reroute", args=[referral.pk])).content.decode()
    assert "le plus adapté en premier : d'abord les besoins couverts" in page
    positions = [page.index(str(a)) for a in (morning, afternoon, partial)]
    assert positions == sorted(positions)
    assert str(far) not in page and str(full) not in page
    assert "checked" not in page
    assert "10 km au plus" in page


@time_machine.travel(NOW, tick=False)
def test_the_order_is_the_engines_on_the_assessment_and_a_second_re_routing_keeps_it():
    referral, profile = declined_referral_with_assessment()
    first = advisor("Premier", weekday=4)
    second = advisor("Second", weekday=3, start=time(14), end=time(17))
    limited = NeedsProfile(
        needs=(NeedPriority(ADMIN, 1), NeedPriority(TOOLS, 2)), constraints=profile.constraints
    )
    expected = advisors_rank(
        profile=limited, commune=referral.person.commune, exclude=[referral.advisor]
    )

    ranking = services.reroute_suggestions(referral)
    assert [s.advisor for s in ranking] == [s.advisor for s in expected] == [first, second]
    assert [s.explanation for s in ranking] == [s.explanation for s in expected]

    # The new referral is sent without an assessment: its own re-routing reads the first one.
    new = services.referral_reroute(user=referral.referrer, referral=referral, advisor=first)
    assert new.suggested_rank == 1
    services.referral_decline(user=first.user, referral=new, reason=DeclineReason.NO_CAPACITY)
    again = services.reroute_suggestions(new)
    assert [s.advisor for s in again] == [second]
    assert again.max_travel_km == 10
    assert "hors de ses disponibilités" in again[0].explanation
