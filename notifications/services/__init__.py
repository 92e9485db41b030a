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

The app the kind belongs to registers it when it loads (``register_kind("<kind>", label=_("…"),
summary=…)``; the referrals' kinds in `referrals.notices`): `label` is what the in-app list shows
as the notification's type, `summary` what happened in words; `email=False` or `in_app=False`
keeps a kind to one channel (every kind goes by e-mail and in-app otherwise).

The person (appointment confirmation and a reminder the day before, by SMS or e-mail, only with
consent and a contact channel): `appointment_notify(referral=...)`, called when an appointment
is set or moved. SMS goes through `notifications.sms` (a provider is one class). They are retried
with the same backoff (the beat sweep waits for a row's `next_attempt_at`), a failed one can be
sent again from the admin, and one whose referral closed or whose appointment moved, was removed
or passed is cancelled with its reason instead of being sent (checked again at sending time).

Modules
-------
`kinds` (the kinds, their summary and templates), `outbox` (`notify`, the relay, the manual
retry), `delivery` (sending e-mails and messages to the person, one attempt/backoff rule for
both), `digests`, `preferences`, `inbox` (read marks) and `persons` (messages to the person).
The public names are importable from `notifications.services`.
"""

from .delivery import (
    DeliveryError,
    attempt,
    attempt_failed,
    claim,
    deliveries_retry_failed,
    max_attempts,
    notification_send,
    person_message_send,
    provider_answer,
    retry_delay,
)
from .digests import digests_send_due
from .inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_mark_read_for_referral,
)
from .kinds import (
    KINDS,
    NotificationKind,
    kind_of,
    notification_summary,
    referral_url,
    register_kind,
    site_url,
)
from .outbox import notifications_relay, notifications_retry, notify, queue_notification
from .persons import (
    appointment_notify,
    person_channel,
    person_channel_explained,
    person_message_obsolete,
    person_message_text,
    person_messages_cancel,
    person_messages_cancel_obsolete,
    person_messages_queue_due,
    person_messages_retry,
    queue_person_message,
    reminder_due,
)
from .preferences import next_digest_at, preference_for, preference_update

__all__ = [
    "DeliveryError",
    "KINDS",
    "NotificationKind",
    "appointment_notify",
    "attempt",
    "attempt_failed",
    "claim",
    "deliveries_retry_failed",
    "digests_send_due",
    "kind_of",
    "max_attempts",
    "next_digest_at",
    "notification_mark_read",
    "notification_send",
    "notification_summary",
    "notifications_mark_all_read",
    "notifications_mark_read_for_referral",
    "notifications_relay",
    "notifications_retry",
    "notify",
    "person_channel",
    "person_channel_explained",
    "person_message_obsolete",
    "person_message_send",
    "person_message_text",
    "person_messages_cancel",
    "person_messages_cancel_obsolete",
    "person_messages_queue_due",
    "person_messages_retry",
    "preference_for",
    "preference_update",
    "provider_answer",
    "queue_notification",
    "queue_person_message",
    "referral_url",
    "register_kind",
    "reminder_due",
    "retry_delay",
    "site_url",
]
