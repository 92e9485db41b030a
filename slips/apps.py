from django.apps import AppConfig
from django.core import checks


class SlipsConfig(AppConfig):
    name = "slips"
    verbose_name = "Fiches de liaison"

    def ready(self):
        from .checks import check_harfbuzz_subset, warn_if_harfbuzz_subset_missing

        checks.register(check_harfbuzz_subset)
        warn_if_harfbuzz_subset_missing()
