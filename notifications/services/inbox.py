"""The in-app list: a user reads only what is addressed to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pasip.errors import NotAllowed

from ..models import Notification

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Referral


def _own(user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk or not notification.in_app:
        raise NotAllowed(_("Cette notification ne vous est pas adressée."))


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    _own(user, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_read_for_referral(*, user: User, referral: Referral) -> int:
    """The user opened the referral's page: what told them about it has been seen."""
    return (
        Notification.objects.unread_for(user)
        .filter(referral=referral)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.unread_for(user).update(read_at=timezone.now())
