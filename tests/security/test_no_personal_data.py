"""No personal data in URLs, logs, e-mails or error pages, over a whole referral's journey.

The journey runs through the pages and the API with a real Celery worker and a real SMTP
listener: registration, assessment, sending, acceptance with an appointment, messages, the
slip, the first meeting and the closing. Everything the journey leaves behind is searched for
the person's first name, last name, phone and e-mail: every log record of this process (root
logger at DEBUG) and of the worker, every e-mail received, every URL requested or redirected
to, every download's file name, and the error pages another user gets for that person.
"""

import logging
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.services import questionnaire_load_file
from directory.enums import Service
from notifications.models import Notification, PersonMessage
from people.models import Person
from referrals.models import Referral, ReferralState
from tests.assessments.answers import JOSETTE
from tests.factories import PASSWORD, AdvisorFactory, UserFactory

FIRST_NAME = "Josiane"
LAST_NAME = "Quercymontal"
PHONE = "06 98 76 54 32"
EMAIL = "josiane.quercymontal@exemple.invalid"


def personal_patterns():
    """Each piece of personal data, as typed and in the spellings a log or URL would use."""
    digits = PHONE.replace(" ", "")
    return {
        "first name": re.compile(FIRST_NAME, re.IGNORECASE),
        "last name": re.compile(LAST_NAME, re.IGNORECASE),
        "phone": re.compile("|".join([re.escape(PHONE), digits, r"\+33\s?6\s?98\s?76"])),
        "e-mail": re.compile(
            "|".join([re.escape(EMAIL), re.escape(EMAIL.replace("@", "%40")), "quercymontal%40"]),
            re.IGNORECASE,
        ),
    }


def leaks(where, texts):
    found = []
    for text in texts:
        for what, pattern in personal_patterns().items():
            match = pattern.search(text)
            if match:
                start = max(match.start() - 60, 0)
                found.append(f"{what} in {where}: …{text[start : match.end() + 60]!r}…")
    return found


class Journey:
    """The test client, recording every URL asked for, redirected to or downloaded."""

    def __init__(self, client):
        self.client = client
        self.urls = []

    def login(self, user):
        self.client.logout()
        response = self.request(
            "post", reverse("login"), {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    def request(self, method, url, data=None, *, expect=None, **extra):
        response = getattr(self.client, method)(url, data, **extra)
        self.urls.append(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        if response.has_header("Content-Disposition"):
            self.urls.append(response["Content-Disposition"])
        assert response.status_code < 500, (url, response.status_code)
        if expect is not None:
            assert response.status_code == expect, (url, response.status_code)
        return response

    def get(self, url, data=None, **kwargs):
        return self.request("get", url, data, **kwargs)

    def post(self, url, data=None, **kwargs):
        return self.request("post", url, data, **kwargs)


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_whole_journey_leaves_no_personal_data_behind(
    client, celery_worker, smtp_inbox, caplog, capfd, tmp_path
):
    caplog.set_level(logging.DEBUG)
    questionnaire_load_file()
    social_worker = UserFactory()
    advisor = AdvisorFactory(place_commune="46128")
    journey = Journey(client)

    # The social worker registers the person, assesses them and sends the referral.
    journey.login(social_worker)
    journey.get(reverse("person_list"), expect=200)
    response = journey.post(
        reverse("person_create"),
        {
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "birth_year": "1950",
            "commune": "46128",
            "phone": PHONE,
            "email": EMAIL,
            "preferred_channel": "email",
            "share_identity": "on",
            "share_assessment": "on",
            "consent_method": "oral",
        },
        expect=302,
    )
    person = Person.objects.get(last_name=LAST_NAME)
    journey.get(response["Location"], expect=200)
    person_page = journey.get(reverse("person_detail", args=[person.pk]), expect=200)
    # The search finds the person where they belong: on the page of their own file.
    assert len(leaks("the person's page", [person_page.content.decode()])) == 4
    journey.get(reverse("person_list"), expect=200)
    assessment = journey.post(
        "/api/v1/assessments/",
        {"person": person.pk, "answers": JOSETTE},
        content_type="application/json",
        expect=201,
    ).json()
    journey.post(f"/api/v1/assessments/{assessment['id']}/validate/", expect=200)
    journey.post(reverse("referral_new", args=[person.pk]), {"step": "assessment"}, expect=200)
    response = journey.post(
        reverse("referral_new", args=[person.pk]),
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": advisor.pk},
        expect=302,
    )
    referral = Referral.objects.get(person=person)
    journey.get(response["Location"], expect=200)
    journey.get(reverse("referral_list"), expect=200)
    journey.get(f"/api/v1/persons/{person.pk}/", expect=200)
    journey.get(f"/api/v1/referrals/{referral.pk}/", expect=200)
    journey.get(reverse("referral_slip", args=[referral.pk]), expect=200)

    # The advisor accepts with an appointment, writes, starts and closes the accompaniment.
    journey.login(advisor.user)
    journey.get(reverse("referral_list"), expect=200)
    journey.get(reverse("referral_list"), {"code": referral.code}, expect=200)
    journey.get(reverse("referral_detail", args=[referral.pk]), expect=200)
    appointment = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    journey.post(
        reverse("referral_accept", args=[referral.pk]),
        {
            "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
            "appointment_place": advisor.places.get().pk,
        },
        expect=302,
    )
    # The person's confirmation leaves before the accompaniment closes: once closed, a
    # referral's messages still waiting are cancelled, never sent.
    wait_until(lambda: PersonMessage.objects.filter(referral=referral, status="sent").exists())
    journey.post(
        reverse("referral_message", args=[referral.pk]),
        {"body": "Rendez-vous confirmé, apportez vos identifiants."},
        expect=302,
    )
    journey.get(reverse("notification_list"), expect=200)
    # Recorded today, before the appointment's day: the advisor says so.
    journey.post(
        reverse("referral_start", args=[referral.pk]),
        {"earlier_than_planned": "on"},
        expect=302,
    )
    journey.post(
        reverse("referral_complete", args=[referral.pk]), {"outcome": "satisfied"}, expect=302
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.COMPLETED

    # The social worker reads the answer and the message.
    journey.login(social_worker)
    journey.get(reverse("referral_detail", args=[referral.pk]), expect=200)
    journey.post(reverse("referral_message", args=[referral.pk]), {"body": "Merci."}, expect=302)
    journey.get(reverse("notification_list"), expect=200)

    # Another structure's social worker and an officer get error pages for the same objects.
    error_pages = []
    journey.login(UserFactory())
    for url in (
        reverse("person_detail", args=[person.pk]),
        reverse("person_export", args=[person.pk]),
        reverse("referral_detail", args=[referral.pk]),
        reverse("referral_slip", args=[referral.pk]),
        f"/api/v1/persons/{person.pk}/",
        f"/api/v1/referrals/{referral.pk}/",
    ):
        error_pages.append(journey.get(url, expect=404).content.decode())
    journey.login(UserFactory(officer=True))
    for url in (
        reverse("person_detail", args=[person.pk]),
        reverse("referral_new", args=[person.pk]),
        f"/api/v1/persons/{person.pk}/",
    ):
        error_pages.append(journey.get(url, expect=403).content.decode())
    client.logout()
    error_pages.append(journey.get(reverse("person_detail", args=[person.pk])).content.decode())

    # Every e-mail the journey causes, sent by the worker.
    def all_sent():
        return not Notification.objects.filter(status="pending", email=True).exists() and not (
            PersonMessage.objects.filter(status="pending", due_at__lte=timezone.now()).exists()
        )

    wait_until(all_sent)
    sent = Notification.objects.filter(email=True, status="sent").count()
    person_messages = PersonMessage.objects.filter(status="sent").count()
    assert sent >= 4 and person_messages == 1  # sent, accepted, messages, closed; confirmation
    smtp_inbox.wait_for(sent + person_messages)
    worker_log = (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "succeeded" in worker_log  # the worker's own records are there to be searched

    found = []
    for message in smtp_inbox.messages:
        text = message.as_string()
        if message["To"] == EMAIL:
            # The person's own confirmation: their address as the recipient, nowhere else.
            assert text.count(EMAIL) == 1, text
            text = text.replace(EMAIL, "")
        found += leaks(f"the e-mail {message['Subject']!r}", [text])
    records = [
        "\n".join([record.getMessage(), str(record.__dict__), record.exc_text or ""])
        for record in caplog.records
    ]
    found += leaks("the log", records)
    found += leaks("the output", [capfd.readouterr().err])
    found += leaks("the worker's log", [worker_log])
    found += leaks("a URL", journey.urls)
    found += leaks("an error page", error_pages)
    assert not found, "\n".join(found)
    assert caplog.records and journey.urls and len(error_pages) == 10


def test_the_development_sms_backend_logs_no_phone_number(caplog):
    from notifications.sms import ConsoleSmsBackend

    caplog.set_level(logging.DEBUG)
    ConsoleSmsBackend().send(to=PHONE, text="Rendez-vous demain à 10h.", idempotency_key="k")
    assert "Rendez-vous demain" in caplog.text
    assert not leaks("the log", [caplog.text])
