"""Notifications sent by a real Celery worker to a real SMTP listener."""

import pytest
from django.urls import reverse

from directory.enums import Service
from notifications.models import Notification
from notifications.tasks import send_notification
from referrals.models import Referral
from tests.assessments.answers import validated_assessment
from tests.factories import AdvisorFactory, PersonFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_sending_and_answering_e_mail_both_sides_once_with_no_personal_data(
    client, celery_worker, smtp_inbox
):
    person = PersonFactory(first_name="Josette", last_name="Delpech", phone="06 12 34 56 78")
    validated_assessment(person)
    advisor = AdvisorFactory(place_commune="46128")  # in Gramat: suggested
    client.force_login(person.created_by)

    client.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": advisor.pk},
    )
    referral = Referral.objects.get()
    [to_advisor] = smtp_inbox.wait_for(1)
    assert to_advisor["To"] == advisor.user.email
    body = to_advisor.get_body(("plain",)).get_content()
    assert referral.code in to_advisor["Subject"] and referral.code in body
    assert f"/orientations/{referral.pk}/" in body

    client.force_login(advisor.user)
    client.post(reverse("referral_accept", args=[referral.pk]))
    _, to_referrer = smtp_inbox.wait_for(2)
    assert to_referrer["To"] == person.created_by.email
    assert "acceptée" in to_referrer.get_body(("plain",)).get_content()

    for message in smtp_inbox.messages:
        text = message.as_string()
        for personal in (person.first_name, person.last_name, person.phone, person.email):
            assert personal not in text
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_duplicated_task_never_sends_twice(client, celery_worker, smtp_inbox):
    person = PersonFactory()
    validated_assessment(person)
    advisor = AdvisorFactory(place_commune="46128")  # in Gramat: suggested
    client.force_login(person.created_by)
    send = {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": advisor.pk}
    client.post(reverse("referral_new", args=[person.pk]), send)
    smtp_inbox.wait_for(1)
    first = Notification.objects.get()

    send_notification.delay(first.pk)  # a duplicate, as a redelivery would make
    send_notification.delay(first.pk)
    client.post(reverse("referral_new", args=[person.pk]), send)  # then a second referral
    smtp_inbox.wait_for(2)

    # The single-process worker takes tasks in order: the duplicates ran before the second one.
    subjects = [message["Subject"] for message in smtp_inbox.messages]
    assert len(subjects) == 2 and subjects[0] != subjects[1]
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 1)
