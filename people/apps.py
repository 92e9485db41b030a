from django.apps import AppConfig

from .erasure import consents_erase, register


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Personnes accompagnées"

    def ready(self):
        # Erasing a person anonymises the consents too.
        register(consents_erase)
