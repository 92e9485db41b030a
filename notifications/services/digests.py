"""The daily digest: one e-mail per user gathering the notifications due at their hour."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Notification, Status
from .kinds import site_url
from .outbox import notify


def digests_send_due(*, now: datetime | None = None) -> int:
    """Gathers each user's notifications due for their digest into one e-mail per user."""
    now = now or timezone.now()
    recipients = (
        Notification.objects.filter(
            status=Status.PENDING, digest_due_at__lte=now, digest__isnull=True
        )
        .values_list("recipient", flat=True)
        .distinct()
    )
    created = 0
    for recipient_id in list(recipients):
        if _digest_create(recipient_id=recipient_id, now=now):
            created += 1
    return created


@transaction.atomic
def _digest_create(*, recipient_id: int, now: datetime) -> Notification | None:
    items = list(
        Notification.objects.select_for_update()
        .filter(
            recipient_id=recipient_id,
            status=Status.PENDING,
            digest_due_at__lte=now,
            digest__isnull=True,
        )
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    if not items:
        return None
    count = len(items)
    subject = (
        _("Votre résumé PASIP numérique : 1 notification")
        if count == 1
        else _("Votre résumé PASIP numérique : %(count)s notifications") % {"count": count}
    )
    digest = notify(
        recipient=items[0].recipient,
        kind="digest",
        subject=subject,
        url=site_url(reverse("notification_list")),
        context={"items": items, "count": count},
    )
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
    return digest
