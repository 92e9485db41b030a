"""The state traits of `ReferralFactory` go through the services: each writes the events,
timestamps and notifications a referral reaching that state through the pages has."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from referrals.models import CancelReason, DeclineReason, Outcome, ReferralState
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

S = ReferralState
ADVISOR, REFERRER, SYSTEM = "advisor", "referrer", "system"

# trait: the events (from, to, who) and the timestamps the services write.
TRAITS = {
    "accepted": ([(S.SENT, S.ACCEPTED, ADVISOR)], {"answered_at"}),
    "in_progress": (
        [(S.SENT, S.ACCEPTED, ADVISOR), (S.ACCEPTED, S.IN_PROGRESS, ADVISOR)],
        {"answered_at", "first_meeting_at"},
    ),
    "completed": (
        [
            (S.SENT, S.ACCEPTED, ADVISOR),
            (S.ACCEPTED, S.IN_PROGRESS, ADVISOR),
            (S.IN_PROGRESS, S.COMPLETED, ADVISOR),
        ],
        {"answered_at", "first_meeting_at", "closed_at"},
    ),
    "failed": (
        [
            (S.SENT, S.ACCEPTED, ADVISOR),
            (S.ACCEPTED, S.IN_PROGRESS, ADVISOR),
            (S.IN_PROGRESS, S.FAILED, ADVISOR),
        ],
        {"answered_at", "first_meeting_at", "closed_at"},
    ),
    "declined": ([(S.SENT, S.DECLINED, ADVISOR)], {"answered_at", "closed_at"}),
    "cancelled": ([(S.SENT, S.CANCELLED, REFERRER)], {"closed_at"}),
    "expired": ([(S.SENT, S.EXPIRED, SYSTEM)], {"closed_at"}),
}
TIMESTAMPS = {"answered_at", "first_meeting_at", "closed_at"}


def actor_of(referral, user):
    if user is None:
        return SYSTEM
    return {referral.advisor.user_id: ADVISOR, referral.referrer_id: REFERRER}[user.pk]


@pytest.mark.parametrize("trait", TRAITS)
def test_each_trait_writes_the_events_and_timestamps_of_the_services(trait):
    events, written = TRAITS[trait]
    before = timezone.now()

    referral = ReferralFactory(**{trait: True})

    assert referral.state == events[-1][1]
    assert [
        (event.from_state, event.to_state, actor_of(referral, event.actor))
        for event in referral.events.all()
    ] == events
    assert all(event.at >= before for event in referral.events.all())
    for name in TIMESTAMPS:
        value = getattr(referral, name)
        assert (value is not None and value >= before) == (name in written), name
    # The other side is told, as when the pages move it (both sides when the system does).
    told = sum(2 if actor == SYSTEM else 1 for _from, _to, actor in events)
    assert Notification.objects.filter(referral=referral).count() == told


def test_the_reasons_and_outcomes_are_those_the_services_require():
    assert ReferralFactory(declined=True).decline_reason == DeclineReason.NO_CAPACITY
    assert ReferralFactory(cancelled=True).cancel_reason == CancelReason.NEED_RESOLVED
    assert ReferralFactory(completed=True).outcome == Outcome.SATISFIED
    assert ReferralFactory(failed=True).outcome == Outcome.UNREACHABLE
    declined = ReferralFactory(declined=True, decline_reason=DeclineReason.OUT_OF_AREA)
    assert declined.decline_reason == DeclineReason.OUT_OF_AREA
    assert declined.events.get().reason == DeclineReason.OUT_OF_AREA.label
    assert ReferralFactory(failed=True, outcome=Outcome.NO_SHOW).outcome == Outcome.NO_SHOW


def test_the_dates_given_are_kept_after_the_services():
    answered = timezone.now() - timedelta(days=3)
    appointment = timezone.now() - timedelta(days=1)  # past: the service would refuse it

    referral = ReferralFactory(in_progress=True, answered_at=answered, appointment_at=appointment)

    assert (referral.answered_at, referral.appointment_at) == (answered, appointment)
    assert referral.events.count() == 2


def test_without_a_trait_the_referral_is_sent_and_has_no_event():
    referral = ReferralFactory()
    assert referral.state == S.SENT and not referral.events.exists()
    assert referral.answered_at is None and referral.closed_at is None
