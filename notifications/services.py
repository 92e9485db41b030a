"""The outbox: a notification is a row first, queued for sending only after commit."""

import logging

from django.db import transaction
from django.template.loader import render_to_string

from .models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipient, referral, kind, subject):
    """Records a notification in the caller's transaction; a worker sends it after commit."""
    body = render_to_string(
        f"notifications/email/{kind}.txt",
        {"referral": referral, "recipient": recipient, "url": referral_url(referral)},
    )
    notification = Notification.objects.create(
        recipient=recipient, referral=referral, kind=kind, subject=subject, body=body
    )
    transaction.on_commit(lambda: queue_notification(notification.pk))
    return notification


def referral_url(referral):
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse("referral_detail", args=[referral.pk])


def queue_notification(notification_id):
    """Publishes the send task; if the broker is down the row stays pending for the relay."""
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:
        logger.warning("Notification %s left pending: broker unavailable", notification_id)
