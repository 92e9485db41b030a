"""The demo's referral histories are checked against the one transition table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demo.timelines import ImpossibleTimeline, timeline_check
from referrals.models import EventKind, ReferralState
from tests.factories import ReferralFactory

S = ReferralState
pytestmark = pytest.mark.django_db


def _history(state, *steps):
    """A referral in `state` and its history: its sending, then `steps`, an hour apart, each
    (who, from, to[, kind]) with who "referrer", "advisor" or None (the deadline job)."""
    referral = ReferralFactory(state=state)
    sent = timezone.now() - timedelta(days=10)
    people = {"referrer": referral.referrer, "advisor": referral.advisor.user, None: None}
    events = [(referral.referrer, sent, "", S.SENT, "")]
    for hour, (who, from_state, to_state, *kind) in enumerate(steps, start=1):
        events.append((people[who], sent + timedelta(hours=hour), from_state, to_state, "", *kind))
    return referral, events


def test_a_history_the_services_could_write_passes():
    referral, events = _history(
        S.COMPLETED,
        (None, S.SENT, S.SENT, EventKind.REMINDER),
        ("advisor", S.SENT, S.ACCEPTED),
        ("advisor", S.ACCEPTED, S.IN_PROGRESS),
        ("advisor", S.IN_PROGRESS, S.COMPLETED),
    )
    timeline_check(referral, events)


@pytest.mark.parametrize(
    "state, steps, why",
    [
        (S.IN_PROGRESS, [("advisor", S.SENT, S.IN_PROGRESS)], "no transition from sent"),
        (S.CANCELLED, [("advisor", S.SENT, S.CANCELLED)], "may not cancel"),
        (S.EXPIRED, [("referrer", S.SENT, S.EXPIRED)], "may not expire"),
        (S.ACCEPTED, [("advisor", S.ACCEPTED, S.IN_PROGRESS)], "while the referral is sent"),
        (S.SENT, [(None, S.SENT, S.EXPIRED, EventKind.REMINDER)], "changes the state"),
        (S.DECLINED, [("advisor", S.SENT, S.ACCEPTED)], "the referral is declined"),
    ],
)
def test_an_impossible_history_fails_loudly(state, steps, why):
    referral, events = _history(state, *steps)
    with pytest.raises(ImpossibleTimeline, match=why):
        timeline_check(referral, events)


def test_a_history_going_back_in_time_fails():
    referral, events = _history(S.ACCEPTED, ("advisor", S.SENT, S.ACCEPTED))
    actor, at, *rest = events[1]
    events[1] = (actor, events[0][1] - timedelta(minutes=1), *rest)
    with pytest.raises(ImpossibleTimeline, match="before the event it follows"):
        timeline_check(referral, events)
