from django.apps import AppConfig

from people.erasure import register


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Erasing a person anonymises the messages to the person too.
        from .erasure import person_messages_erase

        register(person_messages_erase)
