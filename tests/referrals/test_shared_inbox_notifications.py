"""A referral sent to a structure's shared inbox is told to every active advisor of it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications import services as notifications
from notifications.models import Notification
from referrals import services
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def inbox():
    """A structure of three advisors, one of them inactive, and an advisor elsewhere."""
    addressee = AdvisorFactory()
    structure = addressee.structure
    colleague = AdvisorFactory(user__structure=structure, structure=structure)
    digest_reader = AdvisorFactory(user__structure=structure, structure=structure)
    notifications.preference_update(user=digest_reader.user, mode="digest", digest_hour=18)
    AdvisorFactory(user__structure=structure, structure=structure, is_active=False)
    AdvisorFactory(user__structure=structure, structure=structure, user__is_active=False)
    AdvisorFactory()  # another structure
    return addressee, colleague, digest_reader


def _recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def _send(advisor, *, shared):
    referrer = UserFactory()
    person = PersonFactory(created_by=referrer)
    return services.referral_send(
        user=referrer, person=person, advisor=advisor, needs=advisor.themes, shared=shared
    )


def test_sent_to_the_shared_inbox_every_active_advisor_of_the_structure_is_told(inbox):
    addressee, colleague, digest_reader = inbox
    referral = _send(addressee, shared=True)
    told = {addressee.user.pk, colleague.user.pk, digest_reader.user.pk}
    assert _recipients("referral_sent") == told
    # Each as they chose: at once by e-mail, or in their daily digest; in-app for all.
    rows = {n.recipient_id: n for n in Notification.objects.filter(kind="referral_sent")}
    assert rows[digest_reader.user.pk].digest_due_at is not None
    assert rows[colleague.user.pk].digest_due_at is None
    assert all(n.in_app and n.email for n in rows.values())
    for notification in Notification.objects.relayable():  # what the worker sends at once
        notifications.notification_send(notification_id=notification.pk)
    assert {tuple(m.to) for m in mail.outbox} == {(addressee.user.email,), (colleague.user.email,)}
    person = referral.person
    for message in mail.outbox:
        assert referral.code in message.body
        for personal in (person.first_name, person.last_name, person.phone, person.email):
            assert personal not in message.body and personal not in message.subject


def test_sent_to_one_advisor_only_that_advisor_is_told(inbox):
    addressee, _colleague, _digest_reader = inbox
    _send(addressee, shared=False)
    assert _recipients("referral_sent") == {addressee.user.pk}


def test_reminders_and_escalation_of_a_shared_referral_reach_the_whole_inbox(inbox):
    addressee, colleague, digest_reader = inbox
    coordinator = UserFactory(coordinator=True)
    told = {addressee.user.pk, colleague.user.pk, digest_reader.user.pk}
    with time_machine.travel(datetime(2026, 7, 10, 10, tzinfo=PARIS), tick=False):  # Friday
        referral = ReferralFactory(advisor=addressee, shared=True)
    with time_machine.travel(datetime(2026, 7, 15, 9, tzinfo=PARIS), tick=False):  # 2 days
        assert services.referral_deadlines_apply()["reminder"] == 1
    assert _recipients("referral_reminder") == told
    with time_machine.travel(datetime(2026, 7, 20, 9, tzinfo=PARIS), tick=False):  # 5 days
        assert services.referral_deadlines_apply()["escalation"] == 1
    assert Notification.objects.filter(kind="referral_reminder").count() == 2 * len(told)
    assert _recipients("referral_escalated") == {coordinator.pk}
    referral.refresh_from_db()
    assert referral.escalated_at is not None


def test_a_message_on_a_referral_waiting_in_the_shared_inbox_reaches_the_whole_inbox(inbox):
    addressee, colleague, digest_reader = inbox
    referral = ReferralFactory(advisor=addressee, shared=True)
    services.referral_message_post(user=referral.referrer, referral=referral, body="Bonjour")
    assert _recipients("referral_message") == {
        addressee.user.pk,
        colleague.user.pk,
        digest_reader.user.pk,
    }


def test_once_a_colleague_accepted_only_they_hear_of_the_referral(inbox):
    addressee, colleague, _digest_reader = inbox
    referral = ReferralFactory(advisor=addressee, shared=True)
    services.referral_accept(user=colleague.user, referral=referral)
    Notification.objects.all().delete()
    services.referral_message_post(user=referral.referrer, referral=referral, body="Merci")
    assert _recipients("referral_message") == {colleague.user.pk}
