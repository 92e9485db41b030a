from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import (
            schema,  # noqa: F401 (registers the session authentication's schema extension)
            signals,  # noqa: F401 (connects the authentication event loggers)
        )
