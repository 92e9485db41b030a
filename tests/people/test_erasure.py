"""Erasure leaves no exact date tied to the person: every date is cut to its month."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import models
from django.utils import timezone

from assessments.models import Assessment
from directory.enums import Service
from directory.models import UnmetNeed
from notifications.models import PersonMessage
from people import services
from people.models import Consent, ContactChannel, Person
from referrals.models import Referral, ReferralEvent, ReferralState
from referrals.services import referral_accept
from tests.factories import PersonFactory, ReferralFactory, commune

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(*moment):
    return time_machine.travel(datetime(*moment, tzinfo=PARIS), tick=False)


def exact_dates(instance, *, allowed=()):
    """The date fields of `instance` that say more than a month: "Model.field = value"."""
    found = []
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.DateTimeField) or field.name in allowed:
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        local = timezone.localtime(value)
        if local != local.replace(day=1, hour=0, minute=0, second=0, microsecond=0):
            found.append(f"{type(instance).__name__}.{field.name} = {local:%d/%m/%Y %H:%M}")
    return found


def test_erasure_cuts_every_date_to_the_month_messages_to_the_person_included():
    with at(2026, 4, 2, 9, 41):
        person = PersonFactory(preferred_channel=ContactChannel.PHONE)
        social_worker = person.created_by
        UnmetNeed.objects.create(
            commune=person.commune,
            category=Service.ADMIN_PROCEDURES,
            month=timezone.localdate().replace(day=1),
            person=person,
        )
        assessment = Assessment.objects.create(
            person=person,
            created_by=social_worker,
            status=Assessment.Status.VALIDATED,
            validated_at=timezone.now(),
            profile={"support_mode": "faire_avec"},
        )
    with at(2026, 4, 9, 15, 12):  # a second consent: the first is revoked at this minute
        services.consent_record(
            user=social_worker,
            person=person,
            share_identity=True,
            share_assessment=False,
            method=Consent.Method.SIGNED,
        )
        referral = ReferralFactory(person=person, assessment=assessment)
    with at(2026, 4, 13, 10, 5):
        referral.reminded_at = referral.escalated_at = timezone.now()
        referral.save()
        referral_accept(
            user=referral.advisor.user,
            referral=referral,
            appointment_at=datetime(2026, 4, 20, 14, 30, tzinfo=PARIS),
            appointment_place=referral.advisor.places.get(),
        )
    confirmation, reminder = PersonMessage.objects.filter(person=person).order_by("due_at")
    PersonMessage.objects.filter(pk=confirmation.pk).update(
        status=PersonMessage.Status.SENT, sent_at=timezone.now(), provider_reference="SMS-4821"
    )

    with at(2026, 4, 16, 17, 48):
        services.person_erase(user=social_worker, person=person)

    messages = PersonMessage.objects.filter(person=person).order_by("kind")
    assert [(m.kind, m.status, m.provider_reference) for m in messages] == [
        (PersonMessage.Kind.CONFIRMATION, PersonMessage.Status.SENT, ""),
        (PersonMessage.Kind.REMINDER, PersonMessage.Status.CANCELLED, ""),
    ]
    rows = [
        Person.objects.get(pk=person.pk),
        *messages,
        *Consent.objects.filter(person=person),
        *Referral.objects.filter(person=person),
        *ReferralEvent.objects.filter(referral__person=person),
        *Assessment.objects.filter(person=person),
        *UnmetNeed.objects.filter(person=person),
    ]
    assert len(rows) >= 9
    found = [date for row in rows for date in exact_dates(row, allowed={"erased_at"})]
    assert found == []
    revoked = Consent.objects.filter(person=person, revoked_at__isnull=False).get()
    assert revoked.revoked_at == datetime(2026, 4, 1, tzinfo=PARIS)
    assert revoked.recorded_at == datetime(2026, 4, 1, tzinfo=PARIS)
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    assert referral.escalated_at == datetime(2026, 4, 1, tzinfo=PARIS)  # still on the board


def test_the_retention_job_cuts_the_times_of_the_messages_to_the_person_too():
    with at(2023, 3, 6, 9):
        referral = ReferralFactory(
            person=PersonFactory(preferred_channel=ContactChannel.PHONE, commune=commune("46102"))
        )
        referral_accept(
            user=referral.advisor.user,
            referral=referral,
            appointment_at=datetime(2023, 3, 9, 10, tzinfo=PARIS),
        )
        Referral.objects.filter(pk=referral.pk).update(
            state=ReferralState.COMPLETED, closed_at=timezone.now()
        )
    assert PersonMessage.objects.filter(referral=referral).count() == 2
    with at(2025, 6, 2, 9):
        assert services.persons_retention_apply() == 1
    messages = PersonMessage.objects.filter(referral=referral)
    assert len(messages) == 2
    assert [date for message in messages for date in exact_dates(message)] == []
