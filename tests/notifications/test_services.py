"""The outbox, digests, idempotent sending, retries and the administrator's retry."""

import smtplib
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notify(referral, recipient=None, kind="referral_sent"):
    return services.notify(
        recipient=recipient or referral.advisor.user,
        referral=referral,
        kind=kind,
        subject=f"Nouvelle orientation {referral.code}",
    )


def test_a_notification_is_written_with_the_event_and_queued_only_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    referral = ReferralFactory()
    queued = []
    monkeypatch.setattr(services.outbox, "queue_notification", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _notify(referral)
        assert queued == []
    assert len(callbacks) == 1 and queued == [notification.pk]
    assert notification.status == "pending" and notification.in_app and notification.email
    assert (
        referral.code in notification.body and f"/orientations/{referral.pk}/" in notification.url
    )


def test_a_rolled_back_event_leaves_no_notification():
    referral = ReferralFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(referral)
        raise RuntimeError
    assert not Notification.objects.exists()


def test_the_e_mail_has_text_and_html_a_stable_message_id_and_no_personal_data():
    referral = ReferralFactory()
    notification = _notify(referral)
    services.notification_send(notification_id=notification.pk)
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == notification.message_id
    assert str(notification.idempotency_key) in notification.message_id
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and referral.code in html and 'lang="fr"' in html
    person = referral.person
    for text in (message.body, html, message.subject):
        for personal in (person.first_name, person.last_name, person.phone, person.email):
            assert personal not in text
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_sending_twice_sends_once():
    notification = _notify(ReferralFactory())
    services.notification_send(notification_id=notification.pk)
    services.notification_send(notification_id=notification.pk)
    assert len(mail.outbox) == 1


class RefusingBackend:
    answer = (451, b"4.3.0 Boite pleine, reessayez plus tard")

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(*self.answer)


def test_a_refused_send_is_retried_with_backoff_then_failed_with_the_servers_answer(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    settings.PASIP_NOTIFICATION_MAX_ATTEMPTS = 4
    settings.PASIP_NOTIFICATION_RETRY_BACKOFF = 10
    notification = _notify(ReferralFactory())
    delays = [services.notification_send(notification_id=notification.pk) for _ in range(4)]
    assert delays == [10, 20, 40, None]
    notification.refresh_from_db()
    assert notification.status == "failed" and notification.attempts == 4
    assert notification.last_error == "451 4.3.0 Boite pleine, reessayez plus tard"
    assert services.notification_send(notification_id=notification.pk) is None  # stays failed


def test_the_backoff_is_capped_below_the_visibility_timeout(settings):
    delays = [services.retry_delay(n) for n in range(1, 12)]
    assert delays == sorted(delays) and max(delays) == settings.PASIP_NOTIFICATION_RETRY_BACKOFF_MAX
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if timeout is not None:  # Redis only: the filesystem broker has none
        assert max(delays) + settings.CELERY_TASK_TIME_LIMIT < timeout


def test_the_administrator_retries_a_failed_notification(
    settings, admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    settings.PASIP_NOTIFICATION_MAX_ATTEMPTS = 1
    notification = _notify(ReferralFactory())
    services.notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == "failed"

    page = admin_client.get("/admin/notifications/notification/?status__exact=failed")
    assert "451 4.3.0 Boite pleine" in page.content.decode()
    queued = []
    monkeypatch.setattr(services.outbox, "queue_notification", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/notifications/notification/",
            {"action": "retry", "_selected_action": [notification.pk]},
        )
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 0)
    assert queued == [notification.pk]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == "sent" and len(mail.outbox) == 1


def test_the_relay_publishes_again_only_stale_immediate_rows(monkeypatch):
    referral = ReferralFactory()
    queued = []
    monkeypatch.setattr(services.outbox, "queue_notification", lambda pk: queued.append(pk) or True)
    old = _notify(referral)
    Notification.objects.filter(pk=old.pk).update(
        next_attempt_at=old.created_at - timedelta(minutes=5)
    )
    _notify(referral)  # fresh: its own task is still on its way
    digest_user = UserFactory(advisor=True)
    services.preference_update(user=digest_user, mode="digest", digest_hour=18)
    waiting = _notify(referral, recipient=digest_user)
    Notification.objects.filter(pk=waiting.pk).update(
        next_attempt_at=old.created_at - timedelta(minutes=5)
    )
    assert services.notifications_relay(older_than=60) == 1
    assert queued == [old.pk]


def test_a_broker_outage_leaves_the_row_pending_and_the_caller_unharmed():
    from tests.processes import publishing_to

    notification = _notify(ReferralFactory())
    with publishing_to("redis://127.0.0.1:1/0"):  # nothing listens there
        assert services.queue_notification(notification.pk) is False  # loads the transport
        started = time.monotonic()
        assert services.queue_notification(notification.pk) is False
        assert time.monotonic() - started < 1
    notification.refresh_from_db()
    assert notification.status == "pending"


@time_machine.travel(datetime(2026, 3, 10, 9, 30, tzinfo=UTC), tick=False)  # 10:30 in Cahors
def test_a_digest_user_gets_one_e_mail_for_five_events_at_their_hour():
    user = UserFactory(advisor=True)
    services.preference_update(user=user, mode="digest", digest_hour=18)
    referrals = [ReferralFactory() for _ in range(5)]
    for referral in referrals:
        _notify(referral, recipient=user)
    other = _notify(ReferralFactory())  # an immediate user is not held back
    assert Notification.objects.filter(digest_due_at__isnull=False).count() == 5
    due = Notification.objects.filter(recipient=user).first().digest_due_at
    assert due == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 18:00 in Cahors

    assert services.digests_send_due(now=due - timedelta(minutes=1)) == 0
    assert services.digests_send_due(now=due) == 1
    assert services.digests_send_due(now=due) == 0  # run twice: still one digest
    digest = Notification.objects.get(kind="digest")
    assert not digest.in_app and digest.included.count() == 5
    services.notification_send(notification_id=digest.pk)
    services.notification_send(notification_id=other.pk)
    to_user = [message for message in mail.outbox if message.to == [user.email]]
    assert len(to_user) == 1
    for referral in referrals:
        assert referral.code in to_user[0].body
    assert "5 notifications" in to_user[0].subject
    assert set(Notification.objects.filter(recipient=user).values_list("status", flat=True)) == {
        "sent"
    }
    # In the application, the five events and never the digest wrapper.
    assert Notification.objects.in_app_for(user).count() == 5


def test_the_next_digest_time_is_today_or_tomorrow_in_local_time():
    morning = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)  # 07:00 in Cahors (summer time)
    assert services.next_digest_at(morning, 8) == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert services.next_digest_at(morning, 7) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)


def test_switching_back_to_immediate_sends_what_waited_in_one_last_digest(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory(advisor=True)
    services.preference_update(user=user, mode="digest", digest_hour=6)
    for _ in range(2):
        _notify(ReferralFactory(), recipient=user)
    monkeypatch.setattr(services.preferences, "_queue_digests", lambda: None)
    services.preference_update(user=user, mode="immediate", digest_hour=6)
    assert services.digests_send_due() == 1
    assert NotificationPreference.objects.get(user=user).mode == "immediate"


def test_adding_a_kind_is_a_template_and_one_call(tmp_path, settings):
    (tmp_path / "notifications" / "email").mkdir(parents=True)
    (tmp_path / "notifications" / "email" / "test_kind.txt").write_text(
        "Orientation {{ referral.code }} : {{ url }}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    referral = ReferralFactory()
    notification = services.notify(
        recipient=referral.referrer, referral=referral, kind="test_kind", subject="Essai"
    )
    assert notification.body.startswith(f"Orientation {referral.code} : http")
    assert "Essai" in notification.html_body and notification.in_app and notification.email


def test_an_in_app_only_kind_needs_no_template_and_no_sending():
    services.register_kind("test_in_app", label="Essai", email=False)
    try:
        referral = ReferralFactory()
        notification = services.notify(
            recipient=referral.referrer, referral=referral, kind="test_in_app", subject="Essai"
        )
    finally:
        services.KINDS.pop("test_in_app")
    assert (notification.status, notification.email, notification.in_app) == ("sent", False, True)
    assert services.notifications_relay(older_than=0) == 0


def test_failed_deliveries_are_tried_again_hourly_for_48_hours_after_their_writing():
    recipient, referral = UserFactory(), ReferralFactory()
    now = timezone.now()

    def failed(written_hours_ago, next_attempt_in_minutes):
        notification = services.notify(
            recipient=recipient, referral=referral, kind="referral_answered", subject="x"
        )
        Notification.objects.filter(pk=notification.pk).update(
            status="failed",
            attempts=6,
            created_at=now - timedelta(hours=written_hours_ago),
            next_attempt_at=now + timedelta(minutes=next_attempt_in_minutes),
        )
        return notification.pk

    recent, old, not_yet = failed(47, -1), failed(49, -1), failed(1, 30)
    assert services.deliveries_retry_failed(now=now) == 1
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {recent: "pending", old: "failed", not_yet: "failed"}
