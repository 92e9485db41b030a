"""Deadlines in working days, across a weekend and Bastille Day (Tuesday 14 July 2026)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from referrals.models import EventKind, ReferralState
from referrals.services import referral_accept, referral_deadlines_apply
from referrals.tasks import apply_deadlines
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOTHING = {"reminder": 0, "escalation": 0, "expiry": 0, "meeting_reminder": 0}


def at(day, month=7, hour=9):
    return time_machine.travel(datetime(2026, month, day, hour, tzinfo=PARIS), tick=False)


def run(**expected):
    """Runs the job twice: the first run does `expected`, the second nothing more."""
    assert referral_deadlines_apply() == {**NOTHING, **expected}
    assert referral_deadlines_apply() == NOTHING


def kinds(referral):
    return list(referral.events.exclude(kind=EventKind.TRANSITION).values_list("kind", flat=True))


def test_reminder_escalation_then_expiry_skip_the_weekend_and_14_july():
    coordinator = UserFactory(coordinator=True)
    with at(10, hour=10):  # Friday 10 July
        referral = ReferralFactory()
    with at(13):  # Monday: 1 working day
        run()
    with at(14):  # Tuesday 14 July, a public holiday: still 1
        run()
    with at(15):  # Wednesday: 2 working days -> reminder to the advisor
        run(reminder=1)
    reminder = Notification.objects.get(kind="referral_reminder")
    assert reminder.recipient == referral.advisor.user
    assert referral.code in reminder.body and referral.person.last_name not in reminder.body
    with at(17):  # Friday: 4
        run()
    with at(18):  # Saturday: still 4
        run()
    with at(20):  # Monday 20: 5 -> escalation to the coordinator, the advisor reminded again
        run(escalation=1)
    assert Notification.objects.get(kind="referral_escalated").recipient == coordinator
    assert Notification.objects.filter(kind="referral_reminder").count() == 2
    with at(24):  # Friday 24: 9
        run()
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
    with at(27):  # Monday 27: 10 -> expired, the social worker told to re-route
        run(expiry=1)
    referral.refresh_from_db()
    assert referral.state == ReferralState.EXPIRED and referral.closed_at
    assert kinds(referral) == [EventKind.REMINDER, EventKind.ESCALATION]
    expired = referral.events.get(to_state=ReferralState.EXPIRED)
    assert (expired.actor, expired.from_state) == (None, ReferralState.SENT)
    told = Notification.objects.get(kind="referral_expired", recipient=referral.referrer)
    assert "réorienter" in told.body and referral.person.last_name not in told.body


def test_an_answered_referral_is_not_reminded():
    with at(10, hour=10):
        referral = ReferralFactory()
    with at(13):
        referral_accept(user=referral.advisor.user, referral=referral)
    with at(27):
        run()
    assert kinds(referral) == []


def test_accepted_without_first_meeting_after_15_working_days():
    with at(10, hour=10):
        referral = ReferralFactory()
        referral_accept(user=referral.advisor.user, referral=referral)
    with at(31):  # Friday 31 July: 14 working days (14 July excluded)
        run()
    with at(3, month=8):  # Monday 3 August: 15
        run(meeting_reminder=1)
    assert kinds(referral) == [EventKind.MEETING_REMINDER]
    assert Notification.objects.get(kind="meeting_reminder").recipient == referral.advisor.user


def test_the_deadlines_come_from_the_settings(settings):
    settings.PASIP_DEADLINES = {"reminder": 1, "escalation": 2, "expiry": 3, "first_meeting": 5}
    with at(10, hour=10):
        referral = ReferralFactory()
    with at(15):  # 2 working days (13, 15)
        run(escalation=1)
    with at(16):
        run(expiry=1)
    referral.refresh_from_db()
    assert referral.state == ReferralState.EXPIRED


def test_the_beat_task_runs_the_service():
    with at(10, hour=10):
        ReferralFactory()
    with at(15):
        assert apply_deadlines.apply().get() == {**NOTHING, "reminder": 1}
