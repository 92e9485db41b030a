"""Erasure of a person's referrals (`people.erasure`): the exchanges with the advisor go; the
delays are computed before the dates are cut to the month and kept on the referral, so that
the statistics do not move; the appointment and the free-text details go."""

from people.erasure import date_fields, month

from .delays import referral_delays
from .models import Referral, ReferralEvent, ReferralMessage


def referrals_erase(person):
    ReferralMessage.objects.filter(referral__person=person).delete()
    for referral in Referral.objects.filter(person=person):
        delays = referral_delays(
            referral.sent_at, referral.answered_at, referral.first_meeting_at, referral.closed_at
        )
        referral.answer_days = delays.get("answer")
        referral.meeting_days = delays.get("meeting")
        referral.closure_days = delays.get("closure")
        for field in date_fields(Referral):
            setattr(referral, field, month(getattr(referral, field)))
        referral.appointment_at = referral.appointment_place = None
        referral.decline_detail = referral.cancel_detail = ""
        referral.save()
    # The erasure is the one writer allowed past the events' append-only rule: dates only.
    ReferralEvent.objects.filter(referral__person=person).erasure_cut_dates_to_month(month)
