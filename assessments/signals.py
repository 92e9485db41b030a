"""What other apps may follow of an assessment without the assessments app knowing them."""

from django.dispatch import Signal

# An assessment was validated (`assessment`, its needs profile stored): the needs no advisor
# within reach of the person covers are recorded from it (`referrals.apps`), whether or not a
# referral follows.
assessment_validated = Signal()
