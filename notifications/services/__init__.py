"""Notifications: an outbox row first, an e-mail or a message after commit, never lost, sent once.

How a notification travels
--------------------------
`notify()` writes a `Notification` row in the caller's transaction (the event and its
notification commit together or not at all) and, after commit, publishes the
`send_notification` task. If the broker is down at that moment the publish gives up after a
fraction of a second, the row stays pending and the beat relay (`relay_pending_notifications`,
every minute) publishes it again. The task locks the row, sends only if it is still pending,
then marks it sent: a duplicated or retried task finds it sent and does nothing. The e-mail's
Message-ID is derived from the row's idempotency key, so the one duplicate still possible (the
worker killed between the SMTP server's acceptance and the row's update) carries the same
Message-ID as the original and the receiving side can drop it. Provider errors are retried with
exponential backoff; after the last attempt the row is failed, with the server's answer, in the
admin, where it can be sent again by hand; beat tries it again every hour for 48 hours
(`deliveries_retry_failed`), so a mail server back after a night's outage gets it with no one
clicking.

A user who chose the daily digest gets the event in the application at once and by e-mail in
one digest at their hour (`digests_send_due`, swept by beat).

Adding an event kind
--------------------
1. Write `templates/notifications/email/<kind>.txt` (the text e-mail; French, sober, a referral
   code and a link, never the person's personal data). The context has `recipient`,
   `referral`, `url` and whatever you pass as `context=`. Optionally add `<kind>.html`
   (extending `notifications/email/layout.html`); otherwise the text is shown in the common
   HTML layout.
2. Call, inside the transaction of your event::

       notify(recipient=user, referral=referral, kind="<kind>", subject=_("… %(code)s") % …)

Every kind goes by e-mail and in-app. A kind meant for one channel only is declared once in
`KINDS` below (e.g. ``register_kind("<kind>", label=_("…"), email=False)``); `label` is what the
in-app list shows as the notification's type.

The person (appointment confirmation and a reminder the day before, by SMS or e-mail, only with
consent and a contact channel): `appointment_notify(referral=...)`, called when an appointment
is set or moved. SMS goes through `notifications.sms` (a provider is one class). They are retried
with the same backoff (the beat sweep waits for a row's `next_attempt_at`), a failed one can be
sent again from the admin, and one whose referral closed or whose appointment moved, was removed
or passed is cancelled with its reason instead of being sent (checked again at sending time).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pasip.errors import ApplicationError, NotAllowed
from worker.publishing import publish

from ..models import Notification, NotificationPreference, PersonMessage, Status

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationKind:
    label: str
    email: bool = True
    in_app: bool = True


KINDS = {}


def register_kind(name, *, label, email=True, in_app=True):
    KINDS[name] = NotificationKind(label=label, email=email, in_app=in_app)


register_kind("referral_sent", label=gettext_lazy("Nouvelle orientation"))
register_kind("referral_answered", label=gettext_lazy("Réponse à une orientation"))
register_kind("referral_expired", label=gettext_lazy("Orientation expirée"))
register_kind("referral_message", label=gettext_lazy("Message sur une orientation"))
register_kind("referral_reminder", label=gettext_lazy("Relance d'une orientation"))
register_kind("referral_escalated", label=gettext_lazy("Orientation signalée"))
register_kind("referral_rerouted", label=gettext_lazy("Orientation réorientée par le coordinateur"))
register_kind("meeting_reminder", label=gettext_lazy("Premier rendez-vous à fixer"))
register_kind("referral_appointment", label=gettext_lazy("Rendez-vous d'une orientation"))
register_kind("digest", label=gettext_lazy("Résumé quotidien"), in_app=False)


def kind_of(name):
    return KINDS.get(name) or NotificationKind(label=name.replace("_", " ").capitalize())


class DeliveryError(Exception):
    """A provider refused or could not be reached; the send will be tried again."""


# --- Writing notifications ---------------------------------------------------------------


def notify(*, recipient, referral=None, kind, subject, context=None, url=None):
    """Records a notification in the caller's transaction; a worker e-mails it after commit."""
    channels = kind_of(kind)
    if url is None:
        url = referral_url(referral) if referral is not None else site_url("/")
    text, html = subject, ""
    if channels.email:
        text, html = _render(
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


def _agent(user):
    """An agent as the in-app list names them: their name and structure (never a person's)."""
    if user is None:
        return _("Le délai de réponse")
    name = user.get_full_name() or user.username
    if user.is_coordinator:
        return _("%(name)s (coordination)") % {"name": name}
    structure = getattr(user, "structure", None)
    return f"{name} ({structure})" if structure else name


def notification_summary(kind, *, referral, context):
    """What happened, in words, from the event just recorded on the referral (its actor, the
    state it reached, its reason): the agents' names, the codes, never the person's data."""
    if referral is None:
        return ""
    code = referral.code
    advisor = f"{referral.advisor} ({referral.advisor.structure})"
    event = referral.events.select_related("actor").order_by("-pk").first()
    who = _agent(event.actor if event else None)
    if kind == "referral_sent":
        sender = _agent(event.actor if event and event.actor else referral.referrer)
        if referral.shared:
            return _(
                "%(who)s a adressé l'orientation %(code)s à la boîte partagée de votre structure."
            ) % {"who": sender, "code": code}
        return _("%(who)s vous a adressé l'orientation %(code)s.") % {"who": sender, "code": code}
    if kind == "referral_answered" and event is not None and event.actor is not None:
        state, reason = event.to_state, event.reason
        values = {"who": who, "code": code, "reason": reason}
        if state == "accepted":
            text = _("%(who)s a accepté l'orientation %(code)s.") % values
            if referral.appointment_at:
                when = timezone.localtime(referral.appointment_at)
                text += " " + _("Rendez-vous proposé le %(day)s à %(hour)s.") % {
                    "day": when.strftime("%d/%m/%Y"),
                    "hour": when.strftime("%H h %M"),
                }
            return text
        sentences = {
            "declined": _("%(who)s a refusé l'orientation %(code)s. Motif : %(reason)s."),
            "in_progress": _(
                "%(who)s a enregistré le premier rendez-vous de l'orientation %(code)s : "
                "l'accompagnement a commencé."
            ),
            "completed": _(
                "%(who)s a terminé l'accompagnement de l'orientation %(code)s. Issue : %(reason)s."
            ),
            "failed": _(
                "%(who)s a déclaré l'orientation %(code)s non aboutie. Issue : %(reason)s."
            ),
            "cancelled": _("%(who)s a annulé l'orientation %(code)s. Motif : %(reason)s."),
        }
        if state in sentences:
            return sentences[state] % values
    if kind in ("referral_answered", "referral_expired") and referral.state == "expired":
        return _(
            "L'orientation %(code)s a expiré : %(advisor)s n'a pas répondu dans le délai. "
            "Vous pouvez la réorienter."
        ) % {"code": code, "advisor": advisor}
    if kind == "referral_answered":
        return _("L'orientation %(code)s est maintenant : %(state)s.") % {
            "code": code,
            "state": referral.get_state_display().lower(),
        }
    if kind == "referral_message":
        message = referral.messages.select_related("author").order_by("-pk").first()
        author = _agent(message.author) if message else _("Votre correspondant")
        return _("%(who)s a écrit un message sur l'orientation %(code)s.") % {
            "who": author,
            "code": code,
        }
    if kind == "referral_reminder":
        return _(
            "L'orientation %(code)s attend toujours votre réponse : acceptez-la ou refusez-la."
        ) % {"code": code}
    if kind == "meeting_reminder":
        return _(
            "L'orientation %(code)s est acceptée, mais son premier rendez-vous n'est pas "
            "encore enregistré."
        ) % {"code": code}
    if kind == "referral_escalated":
        return _(
            "L'orientation %(code)s, adressée à %(advisor)s, est restée sans réponse : "
            "elle vous est signalée."
        ) % {"code": code, "advisor": advisor}
    if kind == "referral_rerouted":
        previous = context.get("previous")
        return _(
            "%(who)s a réorienté l'orientation %(old)s vers %(advisor)s : "
            "nouvelle orientation %(code)s."
        ) % {
            "who": who,
            "old": previous.code if previous else "—",
            "advisor": advisor,
            "code": code,
        }
    return ""


def _render(kind, *, subject, url, context):
    context = {**context, "subject": subject, "url": url, "site_url": site_url("/")}
    text = render_to_string(f"notifications/email/{kind}.txt", context)
    html = select_template(
        [f"notifications/email/{kind}.html", "notifications/email/layout.html"]
    ).render({**context, "text": text})
    return text, html


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def referral_url(referral):
    return site_url(reverse("referral_detail", args=[referral.pk]))


def queue_notification(notification_id):
    """Publishes the send task; if the broker is down the row stays pending for the relay.

    The publish is tried twice within a fraction of a second, never longer: a web request must
    not hang on a broker outage (the relay publishes the row again later).
    """
    from ..tasks import send_notification

    if not publish(send_notification, notification_id):
        logger.warning("Notification %s left pending: broker unavailable", notification_id)
        return False
    return True


# --- Sending -----------------------------------------------------------------------------


def max_attempts():
    return settings.PASIP_NOTIFICATION_MAX_ATTEMPTS


def retry_delay(attempts):
    """Exponential backoff after the n-th failed attempt, capped below the visibility timeout."""
    base = settings.PASIP_NOTIFICATION_RETRY_BACKOFF
    return min(base * 2 ** (attempts - 1), settings.PASIP_NOTIFICATION_RETRY_BACKOFF_MAX)


def attempt_failed(row, *, error, now, failed):
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


def deliveries_retry_failed(*, now=None):
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


def notification_send(*, notification_id):
    """Sends one notification's e-mail once; returns the delay before a retry, or None.

    The row is locked and its state checked first, so a duplicated task does nothing. A failed
    attempt is recorded with the server's answer; after the last one the row is failed.
    """
    with transaction.atomic():
        # Claiming the row by a conditional update locks it (a row lock on PostgreSQL, the
        # write lock on SQLite) until commit: a second task for it waits, then finds it sent.
        claimed = Notification.objects.filter(
            pk=notification_id, status=Status.PENDING, email=True
        ).update(attempts=F("attempts") + 1)
        if not claimed:
            return None
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        now = timezone.now()
        try:
            if not notification.recipient.email:
                raise DeliveryError(_("Aucune adresse électronique pour ce destinataire."))
            _email(notification).send()
        except (OSError, DeliveryError) as error:
            delay = attempt_failed(notification, error=error, now=now, failed=Status.FAILED)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning(
                "Notification %s attempt %s failed: %s",
                notification.pk,
                notification.attempts,
                notification.last_error,
            )
            return delay
        notification.status = Status.SENT
        notification.sent_at = now
        notification.last_error = ""  # the latest answer is the acceptance, not an old refusal
        notification.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        if notification.kind == "digest":  # a digest delivers the notifications it gathered
            notification.included.filter(status=Status.PENDING).update(
                status=Status.SENT, sent_at=now
            )
        return None


def _email(notification):
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


def provider_answer(error):
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


def notifications_relay(*, older_than=60, limit=500):
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
def notifications_retry(*, notifications):
    """The administrator sends failed notifications again, with a fresh count of attempts."""
    ids = [n.pk for n in notifications if n.status == Status.FAILED and n.email]
    now = timezone.now()
    Notification.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now
    )
    for notification_id in ids:
        transaction.on_commit(lambda pk=notification_id: queue_notification(pk))
    return len(ids)


# --- Digests -----------------------------------------------------------------------------


def next_digest_at(now, hour):
    """The next time, strictly after `now`, it is `hour` o'clock in the project's time zone."""
    local = timezone.localtime(now)
    candidate = timezone.make_aware(datetime.combine(local.date(), time(hour)))
    if candidate <= now:
        candidate = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), time(hour))
        )
    return candidate


def digests_send_due(*, now=None):
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
def _digest_create(*, recipient_id, now):
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


# --- In-app ------------------------------------------------------------------------------


def _own(user, notification):
    if notification.recipient_id != user.pk or not notification.in_app:
        raise NotAllowed(_("Cette notification ne vous est pas adressée."))


@transaction.atomic
def notification_mark_read(*, user, notification):
    _own(user, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_read_for_referral(*, user, referral):
    """The user opened the referral's page: what told them about it has been seen."""
    return (
        Notification.objects.unread_for(user)
        .filter(referral=referral)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_mark_all_read(*, user):
    return Notification.objects.unread_for(user).update(read_at=timezone.now())


def preference_for(user):
    """The user's preference, immediate when never chosen (nothing is written on reading)."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


@transaction.atomic
def preference_update(*, user, mode, digest_hour):
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


def _queue_digests():
    from ..tasks import send_due_digests

    if not publish(send_due_digests):
        logger.warning("Digest sweep left to beat: broker unavailable")


# --- Messages to the person --------------------------------------------------------------


def person_channel(person):
    """SMS or e-mail, only with an active consent and the matching contact detail; else None.

    An SMS only to a French mobile number: a person who prefers the phone but gave a landline
    gets an e-mail when they gave an address, nothing otherwise (`person_channel_explained`).
    """
    return person_channel_explained(person)[0]


def person_channel_explained(person):
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


def reminder_due(appointment_at):
    """The day before the appointment, at the hour set for reminders (local time)."""
    local = timezone.localtime(appointment_at)
    return timezone.make_aware(
        datetime.combine(local.date() - timedelta(days=1), time(settings.PASIP_REMINDER_HOUR))
    )


@transaction.atomic
def appointment_notify(*, referral):
    """The person is told of their appointment now and reminded the day before.

    Called when an appointment is set or moved: the messages still waiting for an earlier
    appointment are cancelled. Nothing is sent without consent and a contact channel.
    """
    appointment_at = referral.appointment_at
    person_messages_cancel(
        referral=referral,
        reason=_("Rendez-vous déplacé.") if appointment_at else _("Rendez-vous supprimé."),
    )
    if referral.state not in APPOINTMENT_STATES:
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


# The states in which a referral's appointment still stands: accepted, or under way.
APPOINTMENT_STATES = ("accepted", "in_progress")


def person_messages_cancel(*, referral, reason):
    """Cancels the messages still waiting for `referral`, saying why (shown in the admin)."""
    return PersonMessage.objects.filter(
        referral=referral, status=PersonMessage.Status.PENDING
    ).update(status=PersonMessage.Status.CANCELLED, cancel_reason=str(reason)[:200])


def person_messages_cancel_obsolete(*, referral):
    """After a change of state: a referral no longer accepted or under way (cancelled,
    declined, failed, completed…) has no appointment to confirm or recall."""
    if referral.state in APPOINTMENT_STATES:
        return 0
    return person_messages_cancel(referral=referral, reason=_closed_reason(referral))


def _closed_reason(referral):
    return _("Orientation « %(state)s » : plus de rendez-vous à rappeler.") % {
        "state": referral.get_state_display().lower()
    }


def person_message_obsolete(message, *, now):
    """Why `message` must not be sent any more, or None: checked again when sending, so that
    nothing reaches the person for a referral closed, an appointment moved, removed or past,
    or a consent withdrawn since the message was written."""
    referral = message.referral
    if referral.state not in APPOINTMENT_STATES:
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


def queue_person_message(message_id):
    from ..tasks import send_person_message

    if not publish(send_person_message, message_id):
        logger.warning("Person message %s left pending: broker unavailable", message_id)
        return False
    return True


def person_messages_queue_due(*, now=None, limit=500):
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


def person_message_text(message):
    context = {
        "message": message,
        "referral": message.referral,
        "place": message.referral.appointment_place,
        "appointment_at": timezone.localtime(message.appointment_at),
    }
    return render_to_string(f"notifications/person/{message.kind}.txt", context).strip()


def person_message_send(*, message_id):
    """Sends one message to the person once; returns the delay before a retry, or None."""
    from .. import sms

    with transaction.atomic():
        now = timezone.now()
        # The conditional update locks the row until commit (see notification_send).
        claimed = PersonMessage.objects.filter(
            pk=message_id, status=PersonMessage.Status.PENDING, due_at__lte=now
        ).update(attempts=F("attempts") + 1)
        if not claimed:
            return None  # sent already, cancelled, or a reminder not yet due (beat sends it)
        message = PersonMessage.objects.select_related("person", "referral").get(pk=message_id)
        reason = person_message_obsolete(message, now=now)
        if reason is not None:
            message.status = PersonMessage.Status.CANCELLED
            message.cancel_reason = str(reason)[:200]
            message.save(update_fields=["status", "cancel_reason"])
            return None
        channel = message.channel
        text = person_message_text(message)
        try:
            if channel == PersonMessage.Channel.SMS:
                reference = sms.get_backend().send(
                    to=message.person.phone, text=text, idempotency_key=str(message.idempotency_key)
                )
            else:
                EmailMultiAlternatives(
                    subject=str(message.get_kind_display()),
                    body=text,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[message.person.email],
                    headers={"Message-ID": f"<{message.idempotency_key}@pasip.notifications>"},
                    connection=get_connection(timeout=settings.PASIP_NOTIFICATION_SEND_TIMEOUT),
                ).send()
                reference = ""
        except (OSError, sms.SmsError) as error:
            delay = attempt_failed(
                message, error=error, now=now, failed=PersonMessage.Status.FAILED
            )
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            # The provider's answer may quote the address: it stays in the row, not in the logs.
            logger.warning(
                "Person message %s attempt %s failed: %s",
                message.pk,
                message.attempts,
                type(error).__name__,
            )
            return delay
        message.status = PersonMessage.Status.SENT
        message.sent_at = now
        message.provider_reference = reference or ""
        message.last_error = ""
        message.save(
            update_fields=["attempts", "status", "sent_at", "provider_reference", "last_error"]
        )
        return None


@transaction.atomic
def person_messages_retry(*, messages):
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
