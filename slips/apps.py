from django.apps import AppConfig
from django.core import checks

from people.signals import consent_recorded
from referrals.signals import slip_changed


class SlipsConfig(AppConfig):
    name = "slips"
    verbose_name = "Fiches de liaison"

    def ready(self):
        from .checks import check_harfbuzz_subset, warn_if_harfbuzz_subset_missing

        checks.register(check_harfbuzz_subset)
        warn_if_harfbuzz_subset_missing()

        # A slip changed (a referral's state or appointment, a person's consent): rendered
        # again by a worker meanwhile, ready when printed.
        from .tasks import person_slips_changed, referral_slip_changed

        slip_changed.connect(referral_slip_changed, dispatch_uid="slips.referral_slip_changed")
        consent_recorded.connect(person_slips_changed, dispatch_uid="slips.person_slips_changed")
