from django.apps import AppConfig

from people.erasure import register
from people.signals import erasure_effects_asked


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Orientations"

    def ready(self):
        # The referrals' kinds of notification, and what each says.
        from .notices import kinds_register

        kinds_register()

        # Erasing a person anonymises the referrals too.
        from .erasure import referrals_erase

        register(referrals_erase)

        # The matching reads the advisors' load from the referrals.
        from matching.candidates import load_source_register

        from .loads import advisor_loads

        load_source_register(advisor_loads)

        # A validated assessment records the needs no advisor within reach covers.
        from assessments.signals import assessment_validated

        from .services import unmet_needs_on_validation

        assessment_validated.connect(unmet_needs_on_validation, dispatch_uid="referrals.unmet")

        # Withdrawing the consent or erasing the person cancels the open referrals: said first.
        from .cancellation import open_referrals_effects

        erasure_effects_asked.connect(open_referrals_effects, dispatch_uid="referrals.effects")
