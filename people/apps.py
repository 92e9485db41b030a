from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Personnes accompagnées"

    def ready(self):
        # Erasing a person anonymises the consents too.
        from .erasure import consents_erase, register

        register(consents_erase)
