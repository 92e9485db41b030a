from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        # Erasing a person anonymises the unmet needs found for the person too.
        from people.erasure import register

        from .erasure import unmet_needs_erase

        register(unmet_needs_erase)
