"""Whether a referral's appointment still stands is said by the referral, once."""

from referrals.models import APPOINTMENT_STATES, Referral, ReferralState


def test_the_appointment_stands_while_accepted_or_under_way_only():
    standing = {state for state in ReferralState if Referral(state=state).appointment_stands}
    assert standing == {ReferralState.ACCEPTED, ReferralState.IN_PROGRESS}
    assert set(APPOINTMENT_STATES) == standing
