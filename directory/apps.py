from django.apps import AppConfig

from people.erasure import register


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        # Erasing a person anonymises the unmet needs found for the person too.
        from .erasure import unmet_needs_erase

        register(unmet_needs_erase)
