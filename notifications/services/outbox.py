"""The outbox: a notification is a row written in the caller's transaction, published after
commit, published again by the relay when the broker was down, sent again by hand."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from worker.publishing import publish

from ..models import Notification, Status
from .kinds import email_render, kind_of, notification_summary, referral_url, site_url
from .preferences import next_digest_at, preference_for

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Referral

logger = logging.getLogger(__name__)


def notify(
    *,
    recipient: User,
    referral: Referral | None = None,
    kind: str,
    subject: str,
    context: dict[str, Any] | None = None,
    url: str | None = None,
) -> Notification:
    """Records a notification in the caller's transaction; a worker e-mails it after commit."""
    channels = kind_of(kind)
    if url is None:
        url = referral_url(referral) if referral is not None else site_url("/")
    text, html = subject, ""
    if channels.email:
        text, html = email_render(
            kind,
            subject=subject,
            url=url,
            context={"referral": referral, "recipient": recipient, **(context or {})},
        )
    preference = preference_for(recipient)
    now = timezone.now()
    digest_due_at = None
    if channels.email and kind != "digest" and preference.mode == preference.Mode.DIGEST:
        digest_due_at = next_digest_at(now, preference.digest_hour)
    notification = Notification.objects.create(
        recipient=recipient,
        referral=referral,
        kind=kind,
        subject=subject,
        summary=notification_summary(kind, referral=referral, context=context or {})[:400],
        body=text,
        html_body=html,
        url=url,
        in_app=channels.in_app,
        email=channels.email,
        digest_due_at=digest_due_at,
        # In-app only: nothing to deliver.
        status=Status.PENDING if channels.email else Status.SENT,
        sent_at=None if channels.email else now,
        created_at=now,
        next_attempt_at=now,
    )
    if channels.email and digest_due_at is None:
        transaction.on_commit(lambda: queue_notification(notification.pk))
    return notification


def queue_notification(notification_id: int) -> bool:
    """Publishes the send task; if the broker is down the row stays pending for the relay.

    The publish is tried twice within a fraction of a second, never longer: a web request must
    not hang on a broker outage (the relay publishes the row again later).
    """
    from ..tasks import send_notification

    if not publish(send_notification, notification_id):
        logger.warning("Notification %s left pending: broker unavailable", notification_id)
        return False
    return True


def notifications_relay(*, older_than: float = 60, limit: int = 500) -> int:
    """Publishes again the rows left pending (broker down at commit, task lost)."""
    stale = timezone.now() - timedelta(seconds=older_than)
    pending = list(
        Notification.objects.relayable()
        .filter(next_attempt_at__lte=stale)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for notification_id in pending:
        if not queue_notification(notification_id):
            break
    return len(pending)


@transaction.atomic
def notifications_retry(*, notifications: Iterable[Notification]) -> int:
    """The administrator sends failed notifications again, with a fresh count of attempts."""
    ids = [n.pk for n in notifications if n.status == Status.FAILED and n.email]
    now = timezone.now()
    Notification.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now
    )
    for notification_id in ids:
        transaction.on_commit(lambda pk=notification_id: queue_notification(pk))
    return len(ids)
