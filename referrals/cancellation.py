"""What cancelling referrals will do, said before it is done (the confirmation pages).

Cancelling an open referral closes it for good: the advisor is told, and the messages still
waiting for the person (appointment confirmation, reminder) are not sent.
"""

from django.utils import timezone

from notifications.models import PersonMessage


def cancellation_preview(referrals):
    """One line per open referral: its code, state, advisor, and the messages to the person
    that will not be sent (their kind and the appointment they were about)."""
    referrals = list(referrals)
    waiting = {}
    for message in PersonMessage.objects.filter(
        referral__in=referrals, status=PersonMessage.Status.PENDING
    ).order_by("due_at"):
        waiting.setdefault(message.referral_id, []).append(
            {
                "kind": message.get_kind_display(),
                "channel": message.get_channel_display(),
                "appointment_at": timezone.localtime(message.appointment_at),
            }
        )
    return [
        {
            "referral": referral,
            "code": referral.code,
            "state": referral.get_state_display().lower(),
            "advisor": str(referral.advisor),
            "messages": waiting.get(referral.pk, []),
        }
        for referral in referrals
    ]


def open_referrals_effects(sender, *, person, **kwargs):
    """The person's open referrals, cancelled by a withdrawal of consent or an erasure."""
    return cancellation_preview(person.referrals.open().select_related("advisor__user"))
