"""The referral events and the access log are append-only, row by row and in bulk; the access
log's rows leave it only by the 12-month purge that beat runs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from people.models import PersonAccess
from people.tasks import apply_retention
from referrals.models import ReferralEvent
from referrals.services import referral_accept
from tests.factories import PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(*moment):
    return time_machine.travel(datetime(*moment, tzinfo=PARIS), tick=False)


def test_referral_events_refuse_bulk_updates_and_deletions():
    referral = ReferralFactory()
    referral_accept(user=referral.advisor.user, referral=referral)
    event = referral.events.get()
    attempts = [
        lambda: ReferralEvent.objects.update(reason="autre chose"),
        lambda: ReferralEvent.objects.filter(pk=event.pk).update(reason="autre chose"),
        lambda: referral.events.update(reason="autre chose"),
        lambda: ReferralEvent.objects.bulk_update([event], ["reason"]),
        lambda: ReferralEvent.objects.all().delete(),
        lambda: ReferralEvent.objects.filter(referral=referral).delete(),
        lambda: referral.events.all().delete(),
        event.delete,
        event.save,
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="append-only"), transaction.atomic():
            attempt()
    assert list(ReferralEvent.objects.values_list("pk", "reason", "at")) == [
        (event.pk, event.reason, event.at)
    ]


def test_the_access_log_refuses_bulk_updates_and_deletions():
    person = PersonFactory()
    access = PersonAccess.objects.create(user=UserFactory(), person=person, where="/x/")
    attempts = [
        lambda: PersonAccess.objects.update(where="/y/"),
        lambda: PersonAccess.objects.filter(person=person).update(where="/y/"),
        lambda: person.accesses.update(where="/y/"),
        lambda: PersonAccess.objects.bulk_update([access], ["where"]),
        lambda: PersonAccess.objects.all().delete(),
        lambda: PersonAccess.objects.filter(pk=access.pk).delete(),
        lambda: person.accesses.all().delete(),
        access.delete,
        access.save,
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="append-only"), transaction.atomic():
            attempt()
    assert list(PersonAccess.objects.values_list("pk", "where")) == [(access.pk, "/x/")]


def test_beat_purges_the_access_log_after_12_months_and_only_then():
    from worker.celery import app

    assert "people.tasks.apply_retention" in {
        job["task"] for job in app.conf.beat_schedule.values()
    }
    user = UserFactory()
    person = PersonFactory(created_by=user)
    for moment in ((2025, 3, 14, 9), (2025, 3, 16, 9), (2025, 4, 2, 9)):
        with at(*moment):
            PersonAccess.objects.create(user=user, person=person, where=f"/{moment[2]}/")

    with at(2026, 3, 15, 9):  # 12 months after 15 March 2025
        apply_retention.apply().get()
        assert list(PersonAccess.objects.order_by("at").values_list("where", flat=True)) == [
            "/16/",
            "/2/",
        ]
        apply_retention.apply().get()  # running it again changes nothing
        assert PersonAccess.objects.count() == 2
    with at(2026, 4, 3, 9):
        apply_retention.apply().get()
    assert not PersonAccess.objects.exists()
    person.refresh_from_db()
    assert person.erased_at is None  # the log's purge is not the person's erasure
