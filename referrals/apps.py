from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Orientations"

    def ready(self):
        # Erasing a person anonymises the referrals too.
        from people.erasure import register

        from .erasure import referrals_erase

        register(referrals_erase)
