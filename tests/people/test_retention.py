"""Retention: personal data erased 24 months after the last referral closed; same statistics."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from directory.enums import Service
from people.models import Person
from people.services import persons_retention_apply
from people.tasks import apply_retention
from referrals import services as referral_services
from referrals.models import Outcome, ReferralState
from stats.models import CommuneCube, ReferralCube, StructureCube
from stats.services import stats_refresh
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day=15, hour=11):
    return time_machine.travel(datetime(year, month, day, hour, tzinfo=PARIS), tick=False)


def statistics():
    """Everything published: the pre-aggregated tables, rebuilt from the referrals, every
    column (the counts and the delays' histograms) but the row's id."""
    stats_refresh()
    return [
        sorted(model.objects.values_list(*published_fields(model)))
        for model in (ReferralCube, CommuneCube, StructureCube)
    ]


def published_fields(model):
    return [f.attname for f in model._meta.concrete_fields if f.name != "id"]


def closed_referral(person, advisor, outcome, *, answered, met, closed):
    """Sent now; accepted, first meeting and completed on the given (year, month, day)."""
    referral = referral_services.referral_send(
        user=person.created_by,
        person=person,
        advisor=advisor,
        needs=[Service.ADMIN_PROCEDURES.value],
    )
    with at(*answered):
        referral_services.referral_accept(user=advisor.user, referral=referral)
    with at(*met):
        referral_services.referral_start(user=advisor.user, referral=referral)
    with at(*closed):
        referral_services.referral_complete(user=advisor.user, referral=referral, outcome=outcome)
    return referral


def test_retention_erases_only_past_the_period_and_statistics_do_not_move():
    social_worker = UserFactory()
    advisor = AdvisorFactory()
    with at(2024, 1, 31, hour=23):  # late at night on the last day of a month
        old = PersonFactory(created_by=social_worker, birth_year=1990)
        # Answered on Friday 2 February (2 working days), first meeting on Monday 5 (3, over
        # the weekend), completed on Thursday 15 (11): from 1 January, the month the erasure
        # keeps, these would read 23, 24 and 32.
        closed_referral(
            old,
            advisor,
            Outcome.SATISFIED,
            answered=(2024, 2, 2),
            met=(2024, 2, 5),
            closed=(2024, 2, 15),
        )
        declined = ReferralFactory(
            person=PersonFactory(created_by=social_worker, commune=commune("46102")),
            advisor=advisor,
        )
        referral_services.referral_decline(
            user=advisor.user, referral=declined, reason="no_capacity"
        )
        never_referred = PersonFactory(created_by=social_worker)
        still_open = ReferralFactory(person=PersonFactory(created_by=social_worker))
    with at(2024, 8, 12):
        recent = PersonFactory(created_by=social_worker, birth_year=1960)
        # Over 15 August, a public holiday: 2, 4 and 9 working days.
        closed_referral(
            recent,
            advisor,
            Outcome.PARTIALLY,
            answered=(2024, 8, 14),
            met=(2024, 8, 19),
            closed=(2024, 8, 26),
        )
    before = statistics()
    january = ReferralCube.objects.get(month=date(2024, 1, 1), epci=old.commune.epci, need="")
    assert january.delays == {"answer": {"2": 1}, "meeting": {"3": 1}, "closure": {"11": 1}}

    with at(2026, 1, 28):  # not yet 24 months after 31 January 2024
        assert persons_retention_apply() == 0
    with at(2026, 6):
        assert persons_retention_apply() == 3
        assert persons_retention_apply() == 0  # idempotent

    erased = set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {old.pk, declined.person_id, never_referred.pk}
    old.refresh_from_db()
    assert (old.last_name, old.phone, old.birth_year, old.age_band) == ("", "", None, "25-44")
    still_open.refresh_from_db()
    assert still_open.state == ReferralState.SENT and still_open.person.erased_at is None
    assert statistics() == before


def test_the_retention_period_comes_from_the_settings(settings):
    settings.PASIP_RETENTION_MONTHS = 6
    with at(2025, 1):
        person = PersonFactory()
    with at(2025, 8):
        assert apply_retention.apply().get() == 1
    person.refresh_from_db()
    assert person.erased_at is not None
