from django.apps import AppConfig

from people.erasure import register


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Diagnostics numériques"

    def ready(self):
        # Erasing a person anonymises the assessments too.
        from .erasure import assessments_erase

        register(assessments_erase)
