"""Messages to the person (an appointment's confirmation, a reminder the day before), by SMS or
e-mail, only with consent and a contact channel; cancelled with their reason when obsolete."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from worker.publishing import publish

from ..models import PersonMessage

if TYPE_CHECKING:
    from people.models import Person
    from referrals.models import Referral

logger = logging.getLogger(__name__)


def person_channel(person: Person) -> str | None:
    """SMS or e-mail, only with an active consent and the matching contact detail; else None.

    An SMS only to a French mobile number: a person who prefers the phone but gave a landline
    gets an e-mail when they gave an address, nothing otherwise (`person_channel_explained`).
    """
    return person_channel_explained(person)[0]


def person_channel_explained(person: Person) -> tuple[str | None, str]:
    """The channel of `person_channel` and the sentence saying it on the referral's page."""
    from people.models import ContactChannel

    from ..sms import is_french_mobile, sms_enabled

    sms, email = PersonMessage.Channel.SMS, PersonMessage.Channel.EMAIL
    if person.active_consent is None:
        return None, _("La personne ne sera pas prévenue : son consentement n'est pas recueilli.")
    if person.preferred_channel == ContactChannel.PHONE and person.phone:
        if not sms_enabled():
            if person.email:
                return email, _(
                    "La personne sera prévenue par e-mail : les SMS ne sont pas en service."
                )
            return None, _("La personne ne sera pas prévenue : les SMS ne sont pas en service.")
        if is_french_mobile(person.phone):
            return sms, _("La personne sera prévenue par SMS.")
        if person.email:
            return email, _(
                "La personne sera prévenue par e-mail : son numéro n'est pas un mobile."
            )
        return None, _("La personne ne sera pas prévenue : son numéro n'est pas un mobile.")
    if person.preferred_channel == ContactChannel.EMAIL and person.email:
        return email, _("La personne sera prévenue par e-mail.")
    if person.preferred_channel == ContactChannel.POST:
        return None, _(
            "La personne ne sera pas prévenue : elle préfère le courrier ou la fiche papier."
        )
    return None, _("La personne ne sera pas prévenue : aucun numéro ni courriel enregistré.")


def reminder_due(appointment_at: datetime) -> datetime:
    """The day before the appointment, at the hour set for reminders (local time)."""
    local = timezone.localtime(appointment_at)
    return timezone.make_aware(
        datetime.combine(local.date() - timedelta(days=1), time(settings.PASIP_REMINDER_HOUR))
    )


@transaction.atomic
def appointment_notify(*, referral: Referral) -> list[PersonMessage]:
    """The person is told of their appointment now and reminded the day before.

    Called when an appointment is set or moved: the messages still waiting for an earlier
    appointment are cancelled. Nothing is sent without consent and a contact channel.
    """
    appointment_at = referral.appointment_at
    person_messages_cancel(
        referral=referral,
        reason=_("Rendez-vous déplacé.") if appointment_at else _("Rendez-vous supprimé."),
    )
    if not referral.appointment_stands:
        return []
    now = timezone.now()
    if appointment_at is None or appointment_at <= now:
        return []
    channel = person_channel(referral.person)
    if channel is None:
        return []
    messages = [
        PersonMessage.objects.create(
            person=referral.person,
            referral=referral,
            kind=PersonMessage.Kind.CONFIRMATION,
            channel=channel,
            appointment_at=appointment_at,
            due_at=now,
        )
    ]
    due = reminder_due(appointment_at)
    if due > now:
        messages.append(
            PersonMessage.objects.create(
                person=referral.person,
                referral=referral,
                kind=PersonMessage.Kind.REMINDER,
                channel=channel,
                appointment_at=appointment_at,
                due_at=due,
            )
        )
    transaction.on_commit(lambda: queue_person_message(messages[0].pk))
    return messages


def person_messages_cancel(*, referral: Referral, reason: str) -> int:
    """Cancels the messages still waiting for `referral`, saying why (shown in the admin)."""
    return PersonMessage.objects.filter(
        referral=referral, status=PersonMessage.Status.PENDING
    ).update(status=PersonMessage.Status.CANCELLED, cancel_reason=str(reason)[:200])


def person_messages_cancel_obsolete(*, referral: Referral) -> int:
    """After a change of state: a referral no longer accepted or under way (cancelled,
    declined, failed, completed…) has no appointment to confirm or recall."""
    if referral.appointment_stands:
        return 0
    return person_messages_cancel(referral=referral, reason=_closed_reason(referral))


def _closed_reason(referral: Referral) -> str:
    return _("Orientation « %(state)s » : plus de rendez-vous à rappeler.") % {
        "state": referral.get_state_display().lower()
    }


def person_message_obsolete(message: PersonMessage, *, now: datetime) -> str | None:
    """Why `message` must not be sent any more, or None: checked again when sending, so that
    nothing reaches the person for a referral closed, an appointment moved, removed or past,
    or a consent withdrawn since the message was written."""
    referral = message.referral
    if not referral.appointment_stands:
        return _closed_reason(referral)
    if referral.appointment_at is None:
        return _("Rendez-vous supprimé.")
    if referral.appointment_at != message.appointment_at:
        return _("Rendez-vous déplacé.")
    if message.appointment_at <= now:
        return _("Rendez-vous déjà passé.")
    channel = person_channel(message.person)
    if channel is None:
        return _("Consentement retiré ou moyen de contact manquant.")
    if channel != message.channel:
        return _("Moyen de contact changé.")
    return None


def queue_person_message(message_id: int) -> bool:
    from ..tasks import send_person_message

    if not publish(send_person_message, message_id):
        logger.warning("Person message %s left pending: broker unavailable", message_id)
        return False
    return True


def person_messages_queue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Publishes the messages whose time has come (reminders), and those left pending; a
    message that failed waits for its next attempt (exponential backoff)."""
    now = now or timezone.now()
    due = list(
        PersonMessage.objects.filter(
            status=PersonMessage.Status.PENDING, due_at__lte=now, next_attempt_at__lte=now
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in due:
        if not queue_person_message(message_id):
            break
    return len(due)


def person_message_text(message: PersonMessage) -> str:
    context = {
        "message": message,
        "referral": message.referral,
        "place": message.referral.appointment_place,
        "appointment_at": timezone.localtime(message.appointment_at),
    }
    return render_to_string(f"notifications/person/{message.kind}.txt", context).strip()


@transaction.atomic
def person_messages_retry(*, messages: Iterable[PersonMessage]) -> int:
    """The administrator sends failed messages again, with a fresh count of attempts.

    They are checked again when sent: one whose referral closed or whose appointment moved or
    passed meanwhile is cancelled, with the reason, rather than sent.
    """
    ids = [m.pk for m in messages if m.status == PersonMessage.Status.FAILED]
    PersonMessage.objects.filter(pk__in=ids, status=PersonMessage.Status.FAILED).update(
        status=PersonMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for message_id in ids:
        transaction.on_commit(lambda pk=message_id: queue_person_message(pk))
    return len(ids)
