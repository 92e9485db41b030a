import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5)
def send_notification(self, notification_id):
    """Sends one notification e-mail once: the row is locked and its status checked first."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return
        notification.attempts += 1
        try:
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.recipient.email],
                headers={"X-PASIP-Idempotency-Key": str(notification.idempotency_key)},
            ).send()
        except OSError as error:
            notification.last_error = str(error)
            notification.save(update_fields=["attempts", "last_error"])
            raise self.retry(exc=error, countdown=2**notification.attempts) from error
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])


@shared_task
def relay_pending_notifications():
    """Re-queues notifications still pending a minute after they were written."""
    stale = timezone.now() - timedelta(minutes=1)
    pending = Notification.objects.filter(
        status=Notification.Status.PENDING, created_at__lt=stale
    ).values_list("pk", flat=True)
    for notification_id in pending[:500]:
        send_notification.delay(notification_id)
