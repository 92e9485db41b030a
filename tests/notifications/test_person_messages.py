"""The person's appointment confirmation and reminder the day before, by SMS or e-mail."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import services
from notifications.models import PersonMessage
from people.models import ContactChannel
from referrals.models import CancelReason, Outcome, Referral, ReferralState
from tests.factories import PersonFactory, PlaceFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # Monday 10:00 in Cahors
APPOINTMENT = datetime(2026, 5, 7, 12, 30, tzinfo=UTC)  # Thursday 14:30


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.PASIP_SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.PASIP_SMS_FILE = tmp_path / "sms.jsonl"
    return settings.PASIP_SMS_FILE


def _sent_sms(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _referral(channel, **person):
    """An accepted referral with an appointment, as `referral_accept` leaves it."""
    referral = ReferralFactory(
        person=PersonFactory(preferred_channel=channel, **person),
        accepted=True,
        appointment_at=APPOINTMENT,
        appointment_place=PlaceFactory(name="Médiathèque de Gramat"),
    )
    return referral


@time_machine.travel(NOW, tick=False)
def test_a_confirmation_now_and_a_reminder_the_day_before_by_sms(sms_file, monkeypatch):
    referral = _referral(ContactChannel.PHONE)
    confirmation, reminder = services.appointment_notify(referral=referral)
    assert (confirmation.channel, confirmation.due_at) == ("sms", NOW)
    assert reminder.due_at == datetime(2026, 5, 6, 8, 0, tzinfo=UTC)  # Wednesday 10:00

    services.person_message_send(message_id=confirmation.pk)
    services.person_message_send(message_id=confirmation.pk)  # a duplicate task: no second SMS
    services.person_message_send(message_id=reminder.pk)  # published early: not yet
    [sms] = _sent_sms(sms_file)
    assert sms["to"] == "…" + referral.person.phone.replace(" ", "")[-2:]  # masked on disk
    assert referral.person.phone not in sms_file.read_text()
    assert "jeudi 7 mai 2026 à 14h30" in sms["text"] and "Médiathèque de Gramat" in sms["text"]
    assert sms["idempotency_key"] == str(confirmation.idempotency_key)

    assert services.person_messages_queue_due(now=NOW) == 0
    with time_machine.travel(reminder.due_at, tick=False):
        queued = []
        monkeypatch.setattr(services.persons, "queue_person_message", queued.append)
        assert services.person_messages_queue_due() == 1
        assert queued == [reminder.pk]
        services.person_message_send(message_id=reminder.pk)
    assert "rappel" in _sent_sms(sms_file)[1]["text"]
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.provider_reference


@time_machine.travel(NOW, tick=False)
def test_by_e_mail_when_the_person_prefers_it():
    referral = _referral(ContactChannel.EMAIL)
    confirmation, _ = services.appointment_notify(referral=referral)
    services.person_message_send(message_id=confirmation.pk)
    [message] = mail.outbox
    assert message.to == [referral.person.email] and referral.code in message.body


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "channel, person",
    [
        (ContactChannel.POST, {}),
        (ContactChannel.PHONE, {"phone": ""}),
        (ContactChannel.EMAIL, {"email": ""}),
        (ContactChannel.PHONE, {"consent": False}),
    ],
)
def test_nothing_without_consent_or_a_contact_channel(channel, person):
    referral = _referral(channel, **person)
    assert services.appointment_notify(referral=referral) == []
    assert not PersonMessage.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_moved_appointment_cancels_the_old_reminder_and_a_revoked_consent_stops_it(sms_file):
    referral = _referral(ContactChannel.PHONE)
    _, old_reminder = services.appointment_notify(referral=referral)
    referral.appointment_at = APPOINTMENT + timedelta(days=7)
    referral.save()
    _, reminder = services.appointment_notify(referral=referral)
    old_reminder.refresh_from_db()
    assert old_reminder.status == "cancelled"

    referral.person.consents.update(revoked_at=NOW)
    with time_machine.travel(reminder.due_at, tick=False):
        services.person_message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and _sent_sms(sms_file) == []


@time_machine.travel(NOW, tick=False)
def test_an_appointment_tomorrow_gets_the_confirmation_only():
    referral = _referral(ContactChannel.PHONE)
    referral.appointment_at = NOW + timedelta(hours=20)
    assert len(services.appointment_notify(referral=referral)) == 1


class RefusingSms:
    def send(self, *, to, text, idempotency_key):
        from notifications.sms import SmsError

        raise SmsError("HTTP 503: fournisseur indisponible")


@time_machine.travel(NOW, tick=False)
def test_a_provider_refusal_is_retried_then_failed_with_its_answer(settings):
    settings.PASIP_SMS_BACKEND = "tests.notifications.test_person_messages.RefusingSms"
    settings.PASIP_NOTIFICATION_MAX_ATTEMPTS = 2
    referral = _referral(ContactChannel.PHONE)
    confirmation, _ = services.appointment_notify(referral=referral)
    assert services.person_message_send(message_id=confirmation.pk) == 10
    assert services.person_message_send(message_id=confirmation.pk) is None
    confirmation.refresh_from_db()
    assert confirmation.status == "failed"
    assert confirmation.last_error == "SmsError: HTTP 503: fournisseur indisponible"


@time_machine.travel(NOW, tick=False)
def test_accepting_with_an_appointment_tells_the_person(
    sms_file, django_capture_on_commit_callbacks
):
    from referrals.services import referral_accept

    referral = ReferralFactory(person=PersonFactory(preferred_channel=ContactChannel.PHONE))
    with django_capture_on_commit_callbacks(execute=False):
        referral_accept(user=referral.advisor.user, referral=referral, appointment_at=APPOINTMENT)
    kinds = set(PersonMessage.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == {"appointment_confirmation", "appointment_reminder"}


def _close(referral, how):
    """Closes `referral` through the services, as the pages and the API do."""
    from referrals import services as referrals

    advisor, referrer = referral.advisor.user, referral.referrer
    if how == "cancel":
        referrals.referral_cancel(
            user=referrer, referral=referral, reason=CancelReason.NEED_RESOLVED
        )
    elif how == "complete":
        referrals.referral_complete(user=advisor, referral=referral, outcome=Outcome.SATISFIED)
    elif how == "fail":
        referrals.referral_fail(user=advisor, referral=referral, outcome=Outcome.NO_SHOW)
    referral.refresh_from_db()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("how", ["cancel", "complete", "fail"])
def test_nothing_reaches_the_person_once_the_referral_is_closed(
    how, sms_file, django_capture_on_commit_callbacks
):
    referral = _referral(ContactChannel.PHONE)
    with django_capture_on_commit_callbacks(execute=False):
        confirmation, reminder = services.appointment_notify(referral=referral)
        _close(referral, how)
    for message in (confirmation, reminder):
        message.refresh_from_db()
        assert message.status == "cancelled"
        assert referral.get_state_display().lower() in message.cancel_reason

    with time_machine.travel(reminder.due_at, tick=False):
        assert services.person_messages_queue_due() == 0
        services.person_message_send(message_id=confirmation.pk)
        services.person_message_send(message_id=reminder.pk)
    assert _sent_sms(sms_file) == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "state",
    [
        ReferralState.CANCELLED,
        ReferralState.DECLINED,
        ReferralState.FAILED,
        ReferralState.COMPLETED,
        ReferralState.EXPIRED,
    ],
)
def test_the_send_itself_checks_the_referral_is_still_open(state, sms_file):
    """A referral closed by a writer that does not cancel the rows (a bulk update, a data
    fix): the task still finds it closed and cancels the message, saying why."""
    referral = _referral(ContactChannel.PHONE)
    confirmation, _ = services.appointment_notify(referral=referral)
    Referral.objects.filter(pk=referral.pk).update(state=state)
    services.person_message_send(message_id=confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.status == "cancelled"
    assert str(state.label).lower() in confirmation.cancel_reason
    assert _sent_sms(sms_file) == []


@time_machine.travel(NOW, tick=False)
def test_a_removed_appointment_stops_the_reminder_with_its_reason(sms_file):
    referral = _referral(ContactChannel.PHONE)
    _, reminder = services.appointment_notify(referral=referral)
    Referral.objects.filter(pk=referral.pk).update(appointment_at=None)
    with time_machine.travel(reminder.due_at, tick=False):
        services.person_message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.cancel_reason) == ("cancelled", "Rendez-vous supprimé.")
    assert _sent_sms(sms_file) == []


@time_machine.travel(NOW, tick=False)
def test_the_first_meeting_keeps_the_reminder():
    """Recorded for the appointment's day, the first meeting leaves the reminder alone (it is
    checked again when sent); recorded before that day it needs the advisor's word that it
    took place earlier than planned, and the reminder of the appointment is then cancelled."""
    from pasip.errors import ApplicationError
    from referrals.services import referral_start

    referral = _referral(ContactChannel.PHONE)
    _, reminder = services.appointment_notify(referral=referral)
    referral_start(user=referral.advisor.user, referral=referral, first_meeting_at=APPOINTMENT)
    reminder.refresh_from_db()
    assert reminder.status == "pending"

    early = _referral(ContactChannel.PHONE)
    _, early_reminder = services.appointment_notify(referral=early)
    with pytest.raises(ApplicationError, match="plus tôt que prévu"):
        referral_start(user=early.advisor.user, referral=early)
    early_reminder.refresh_from_db()
    assert early_reminder.status == "pending"
    referral_start(user=early.advisor.user, referral=early, earlier_than_planned=True)
    early_reminder.refresh_from_db()
    assert early_reminder.status == "cancelled"
    assert early_reminder.cancel_reason == "Premier rendez-vous eu lieu plus tôt que prévu."


@time_machine.travel(NOW, tick=False)
def test_a_refused_message_waits_for_its_backoff_before_the_sweep_publishes_it_again(
    settings, monkeypatch
):
    settings.PASIP_SMS_BACKEND = "tests.notifications.test_person_messages.RefusingSms"
    settings.PASIP_NOTIFICATION_RETRY_BACKOFF = 10
    referral = _referral(ContactChannel.PHONE)
    confirmation, _ = services.appointment_notify(referral=referral)
    queued = []
    monkeypatch.setattr(
        services.persons, "queue_person_message", lambda pk: queued.append(pk) or True
    )

    assert services.person_message_send(message_id=confirmation.pk) == 10
    confirmation.refresh_from_db()
    assert confirmation.next_attempt_at == NOW + timedelta(seconds=10)
    assert services.person_messages_queue_due(now=NOW + timedelta(seconds=9)) == 0
    assert services.person_messages_queue_due(now=NOW + timedelta(seconds=10)) == 1
    assert queued == [confirmation.pk]

    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        assert services.person_message_send(message_id=confirmation.pk) == 20  # doubled
        confirmation.refresh_from_db()
        assert confirmation.next_attempt_at == NOW + timedelta(seconds=30)


@time_machine.travel(NOW, tick=False)
def test_the_administrator_retries_a_failed_message(
    settings, sms_file, admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    settings.PASIP_SMS_BACKEND = "tests.notifications.test_person_messages.RefusingSms"
    settings.PASIP_NOTIFICATION_MAX_ATTEMPTS = 1
    referral = _referral(ContactChannel.PHONE)
    confirmation, reminder = services.appointment_notify(referral=referral)
    services.person_message_send(message_id=confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.status == "failed"

    page = admin_client.get("/admin/notifications/personmessage/?status__exact=failed")
    assert "fournisseur indisponible" in page.content.decode()
    queued = []
    monkeypatch.setattr(services.persons, "queue_person_message", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notifications/personmessage/",
            {"action": "retry", "_selected_action": [confirmation.pk, reminder.pk]},
            follow=True,
        )
    assert "1 message remis en envoi." in response.content.decode()
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == ("pending", 0)
    assert queued == [confirmation.pk]  # the reminder, still pending, is left as it was

    settings.PASIP_SMS_BACKEND = "notifications.sms.FileSmsBackend"
    services.person_message_send(message_id=confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.status == "sent" and len(_sent_sms(sms_file)) == 1
