"""In-app notifications say what happened in words, name agents and codes but never the
person, and are marked read when the user opens the referral they are about."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from referrals import services
from referrals.models import CancelReason, DeclineReason
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def summary_for(user, referral):
    notification = Notification.objects.filter(recipient=user, referral=referral).latest("pk")
    person = referral.person
    for personal in (person.first_name, person.last_name, person.phone, person.email):
        assert personal not in notification.summary
    return notification.summary


def test_the_referrer_reads_who_accepted_or_declined_and_why():
    advisor = AdvisorFactory(user__first_name="Paul", user__last_name="Lafon")
    accepted, declined = ReferralFactory(advisor=advisor), ReferralFactory(advisor=advisor)
    when = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=10, minute=30)
    services.referral_accept(user=advisor.user, referral=accepted, appointment_at=when)
    services.referral_decline(
        user=advisor.user, referral=declined, reason=DeclineReason.NO_CAPACITY
    )
    structure = advisor.user.structure

    assert summary_for(accepted.referrer, accepted) == (
        f"Paul Lafon ({structure}) a accepté l'orientation {accepted.code}. "
        f"Rendez-vous proposé le {when:%d/%m/%Y} à 10 h 30."
    )
    assert summary_for(declined.referrer, declined) == (
        f"Paul Lafon ({structure}) a refusé l'orientation {declined.code}. "
        "Motif : Pas de disponibilité."
    )


def test_the_advisor_reads_who_sent_cancelled_or_wrote():
    referrer = UserFactory(first_name="Marie", last_name="Roques")
    person = PersonFactory(created_by=referrer)
    advisor = AdvisorFactory()
    referral = services.referral_send(
        user=referrer,
        person=person,
        advisor=advisor,
        needs=["admin_procedures"],
    )
    who = f"Marie Roques ({referrer.structure})"
    assert summary_for(advisor.user, referral) == (
        f"{who} vous a adressé l'orientation {referral.code}."
    )
    services.referral_message_post(user=referrer, referral=referral, body="Bonjour")
    assert summary_for(advisor.user, referral) == (
        f"{who} a écrit un message sur l'orientation {referral.code}."
    )
    services.referral_cancel(user=referrer, referral=referral, reason=CancelReason.PERSON_MOVED)
    assert summary_for(advisor.user, referral) == (
        f"{who} a annulé l'orientation {referral.code}. Motif : La personne a déménagé."
    )


def test_the_list_shows_the_sentence_and_opening_the_referral_marks_its_notifications_read(
    client,
):
    advisor = AdvisorFactory()
    referral, other = ReferralFactory(advisor=advisor), ReferralFactory(advisor=advisor)
    for each in (referral, other):
        services.referral_decline(
            user=advisor.user,
            referral=each,
            reason=DeclineReason.OTHER,
            detail="Hors de nos horaires",
        )
    services.referral_message_post(user=advisor.user, referral=referral, body="Désolé")
    user = referral.referrer
    assert other.referrer != user
    client.force_login(user)

    page = client.get(reverse("notification_list")).content.decode()
    assert f"a refusé l&#x27;orientation {referral.code}. Motif : Autre." in page
    assert Notification.objects.unread_for(user).count() == 2

    assert client.get(reverse("referral_detail", args=[referral.pk])).status_code == 200
    assert Notification.objects.unread_for(user).count() == 0
    # Only the notifications about the referral opened, only the user's own.
    assert Notification.objects.unread_for(other.referrer).count() == 1
