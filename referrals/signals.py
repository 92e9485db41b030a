"""What other apps may follow of a referral without the referrals app knowing them."""

from django.dispatch import Signal

# What a referral's slip prints changed (sent, appointment, state while open): sent with
# `referral_id`. The slips render it again meanwhile (`slips.apps`).
slip_changed = Signal()
