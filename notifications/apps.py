from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Erasing a person anonymises the messages to the person too.
        from people.erasure import register

        from .erasure import person_messages_erase

        register(person_messages_erase)
