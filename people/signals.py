"""What other apps may follow of a person without the people app knowing them."""

from django.dispatch import Signal

# A new consent was recorded for `person` (the slips of the person's open referrals print it).
consent_recorded = Signal()

# Asked before the consent is withdrawn or the person erased, for the confirmation page: each
# receiver returns what it will do to its rows (the open referrals cancelled: `referrals.apps`).
erasure_effects_asked = Signal()
