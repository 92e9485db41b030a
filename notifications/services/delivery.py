"""Sending: a notification's e-mail, a message to the person. Both claim their row, make one
attempt and, on a provider's error, wait an exponential backoff (`attempt`), then are tried
again every hour for 48 hours (`deliveries_retry_failed`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Notification, PersonMessage, Status
from .outbox import queue_notification
from .persons import person_message_obsolete, person_message_text, queue_person_message

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A provider refused or could not be reached; the send will be tried again."""


def max_attempts() -> int:
    return settings.PASIP_NOTIFICATION_MAX_ATTEMPTS


def retry_delay(attempts: int) -> float:
    """Exponential backoff after the n-th failed attempt, capped below the visibility timeout."""
    base = settings.PASIP_NOTIFICATION_RETRY_BACKOFF
    return min(base * 2 ** (attempts - 1), settings.PASIP_NOTIFICATION_RETRY_BACKOFF_MAX)


def attempt_failed(
    row: Notification | PersonMessage, *, error: Exception, now: datetime, failed: str
) -> float | None:
    """Records a failed attempt on an outbox row (a notification's e-mail, a message to the
    person) and says when to try again: after an exponential backoff while attempts remain
    (returns the delay, for the task to retry itself); once they are spent the row is `failed`
    and the beat sweep `deliveries_retry_failed` tries it again every
    PASIP_NOTIFICATION_LATE_RETRY_EVERY seconds (an hour) until PASIP_NOTIFICATION_LATE_RETRY_FOR
    (48 hours) after it was written (returns None)."""
    row.last_error = provider_answer(error)
    if row.attempts >= max_attempts():
        row.status = failed
        row.next_attempt_at = now + timedelta(seconds=settings.PASIP_NOTIFICATION_LATE_RETRY_EVERY)
        return None
    delay = retry_delay(row.attempts)
    row.next_attempt_at = now + timedelta(seconds=delay)
    return delay


def provider_answer(error: Exception) -> str:
    """The provider's answer as the administrator should read it (SMTP code and text)."""
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if code is None and hasattr(error, "recipients"):  # SMTPRecipientsRefused
        answers = [
            f"{address}: {answer[0]} {answer[1].decode('utf-8', 'replace')}"
            for address, answer in error.recipients.items()
        ]
        return "; ".join(answers)[:2000]
    if code is not None:
        return f"{code} {text}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def deliveries_retry_failed(*, now: datetime | None = None) -> int:
    """Tries again, once each, the failed e-mails and messages to persons whose next attempt
    has come, within 48 hours of their writing (a mail server or SMS provider back after an
    outage); a message to a person is checked again before it goes. Returns how many."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.PASIP_NOTIFICATION_LATE_RETRY_FOR)
    due = {"next_attempt_at__lte": now, "created_at__gte": since}
    with transaction.atomic():
        notification_ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.FAILED, email=True, **due)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=notification_ids).update(status=Status.PENDING)
        message_ids = list(
            PersonMessage.objects.select_for_update(skip_locked=True)
            .filter(status=PersonMessage.Status.FAILED, **due)
            .values_list("pk", flat=True)
        )
        PersonMessage.objects.filter(pk__in=message_ids).update(status=PersonMessage.Status.PENDING)
    for notification_id in notification_ids:
        queue_notification(notification_id)
    for message_id in message_ids:
        queue_person_message(message_id)
    return len(notification_ids) + len(message_ids)


def claim(rows: QuerySet[Notification] | QuerySet[PersonMessage]) -> bool:
    """Claims an outbox row for one attempt, counting it, by a conditional update of `rows`
    (the row still pending): the update locks it (a row lock on PostgreSQL, the write lock on
    SQLite) until commit, so a second task for it waits, then finds it sent. False when
    there is nothing to send (sent already, cancelled, not yet due)."""
    return bool(rows.update(attempts=F("attempts") + 1))


def attempt(
    row: Notification | PersonMessage,
    send: Callable[[], dict[str, Any] | None],
    *,
    now: datetime,
    errors: tuple[type[Exception], ...],
    failed: str,
    sent: str,
    label: str,
    log_answer: bool,
) -> float | None:
    """One attempt at delivering a claimed outbox row (a notification's e-mail, a message to
    the person): `send()` sends it and returns the fields to record with the success (e.g. the
    provider's reference). On one of `errors` the attempt is recorded with the provider's
    answer (`attempt_failed`: a backoff, or `failed` once the attempts are spent) and the
    delay before the next try is returned; on success the row is `sent`, and None returned.

    The log names the row and its attempt; the provider's answer only when `log_answer` (an
    answer about a person may quote their address: it stays in the row, not in the logs)."""
    try:
        fields = send() or {}
    except errors as error:
        delay = attempt_failed(row, error=error, now=now, failed=failed)
        row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        logger.warning(
            "%s %s attempt %s failed: %s",
            label,
            row.pk,
            row.attempts,
            row.last_error if log_answer else type(error).__name__,
        )
        return delay
    for name, value in fields.items():
        setattr(row, name, value)
    row.status = sent
    row.sent_at = now
    row.last_error = ""  # the latest answer is the acceptance, not an old refusal
    row.save(update_fields=["attempts", "status", "sent_at", "last_error", *fields])
    return None


def notification_send(*, notification_id: int) -> float | None:
    """Sends one notification's e-mail once; returns the delay before a retry, or None.

    The row is locked and its state checked first, so a duplicated task does nothing. A failed
    attempt is recorded with the server's answer; after the last one the row is failed.
    """
    with transaction.atomic():
        pending = Notification.objects.filter(pk=notification_id, status=Status.PENDING, email=True)
        if not claim(pending):
            return None
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        now = timezone.now()

        def send() -> None:
            if not notification.recipient.email:
                raise DeliveryError(_("Aucune adresse électronique pour ce destinataire."))
            _email(notification).send()

        delay = attempt(
            notification,
            send,
            now=now,
            errors=(OSError, DeliveryError),
            failed=Status.FAILED,
            sent=Status.SENT,
            label="Notification",
            log_answer=True,
        )
        if delay is None and notification.kind == "digest":
            # A digest delivers the notifications it gathered.
            notification.included.filter(status=Status.PENDING).update(
                status=Status.SENT, sent_at=now
            )
        return delay


def _email(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        headers={
            "Message-ID": notification.message_id,
            "X-PASIP-Idempotency-Key": str(notification.idempotency_key),
        },
        connection=get_connection(timeout=settings.PASIP_NOTIFICATION_SEND_TIMEOUT),
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    return message


def person_message_send(*, message_id: int) -> float | None:
    """Sends one message to the person once; returns the delay before a retry, or None."""
    from .. import sms

    with transaction.atomic():
        now = timezone.now()
        pending = PersonMessage.objects.filter(
            pk=message_id, status=PersonMessage.Status.PENDING, due_at__lte=now
        )
        if not claim(pending):
            return None  # sent already, cancelled, or a reminder not yet due (beat sends it)
        message = PersonMessage.objects.select_related("person", "referral").get(pk=message_id)
        reason = person_message_obsolete(message, now=now)
        if reason is not None:
            message.status = PersonMessage.Status.CANCELLED
            message.cancel_reason = str(reason)[:200]
            message.save(update_fields=["status", "cancel_reason"])
            return None
        text = person_message_text(message)

        def send() -> dict[str, str]:
            if message.channel == PersonMessage.Channel.SMS:
                reference = sms.get_backend().send(
                    to=message.person.phone, text=text, idempotency_key=str(message.idempotency_key)
                )
                return {"provider_reference": reference or ""}
            EmailMultiAlternatives(
                subject=str(message.get_kind_display()),
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.person.email],
                headers={"Message-ID": f"<{message.idempotency_key}@pasip.notifications>"},
                connection=get_connection(timeout=settings.PASIP_NOTIFICATION_SEND_TIMEOUT),
            ).send()
            return {"provider_reference": ""}

        return attempt(
            message,
            send,
            now=now,
            errors=(OSError, sms.SmsError),
            failed=PersonMessage.Status.FAILED,
            sent=PersonMessage.Status.SENT,
            label="Person message",
            log_answer=False,
        )
