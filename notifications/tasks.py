"""Celery tasks: they load rows and call the services, nothing more.

Every task is safe to run twice (at-least-once delivery): the services lock the row and act only
on a pending one. Retries are short countdowns, always below the broker's visibility timeout;
anything due later (a reminder, a digest) is a row with a due time swept by beat.
"""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id):
    """Sends one notification's e-mail once; retried with backoff on a provider error."""
    delay = services.notification_send(notification_id=notification_id)
    if delay is not None:
        # The row counts the attempts and decides when to stop (Celery's own limit is off).
        raise self.retry(countdown=delay)


@shared_task
def relay_pending_notifications(older_than=None):
    """Publishes again the notifications left pending (broker down at commit, task lost) for
    `PASIP_RELAY_AFTER` seconds (60 by default: the time a healthy worker needs)."""
    if older_than is None:
        older_than = settings.PASIP_RELAY_AFTER
    return services.notifications_relay(older_than=older_than)


@shared_task
def send_due_digests():
    """Gathers the notifications of digest users whose hour has come into one e-mail each."""
    return services.digests_send_due()


@shared_task(bind=True, max_retries=None)
def send_person_message(self, message_id):
    """Sends one appointment message to the person once; retried with backoff."""
    delay = services.person_message_send(message_id=message_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task
def send_due_person_messages():
    """Publishes the messages to persons whose time has come (reminders the day before)."""
    return services.person_messages_queue_due()


@shared_task
def retry_failed_deliveries():
    """Tries again the failed e-mails and messages to persons whose next attempt has come."""
    return services.deliveries_retry_failed()
