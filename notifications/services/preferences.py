"""A user's choice between immediate e-mails and a daily digest at their hour."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pasip.errors import ApplicationError
from worker.publishing import publish

from ..models import Notification, NotificationPreference, Status

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def preference_for(user: User) -> NotificationPreference:
    """The user's preference, immediate when never chosen (nothing is written on reading)."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


@transaction.atomic
def preference_update(*, user: User, mode: str, digest_hour: int) -> NotificationPreference:
    if mode not in NotificationPreference.Mode.values:
        raise ApplicationError(_("Choisissez un mode d'envoi."), code="mode_invalid")
    if not (isinstance(digest_hour, int) and 0 <= digest_hour <= 23):
        raise ApplicationError(_("Choisissez une heure entre 0 et 23."), code="digest_hour_invalid")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"mode": mode, "digest_hour": digest_hour}
    )
    waiting = Notification.objects.filter(
        recipient=user, status=Status.PENDING, digest__isnull=True, digest_due_at__isnull=False
    )
    if mode == NotificationPreference.Mode.DIGEST:
        waiting.update(digest_due_at=next_digest_at(timezone.now(), digest_hour))
    else:
        # Back to immediate: what waited for the digest goes in one last digest, now.
        waiting.update(digest_due_at=timezone.now())
        transaction.on_commit(_queue_digests)
    return preference


def next_digest_at(now: datetime, hour: int) -> datetime:
    """The next time, strictly after `now`, it is `hour` o'clock in the project's time zone."""
    local = timezone.localtime(now)
    candidate = timezone.make_aware(datetime.combine(local.date(), time(hour)))
    if candidate <= now:
        candidate = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), time(hour))
        )
    return candidate


def _queue_digests() -> None:
    from ..tasks import send_due_digests

    if not publish(send_due_digests):
        logger.warning("Digest sweep left to beat: broker unavailable")
