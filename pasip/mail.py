"""The embedded default's e-mail backend: each message to a file under var/mail and to
the console.
"""

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FileAndConsoleEmailBackend(BaseEmailBackend):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.backends = [FileBackend(**kwargs), ConsoleBackend(**kwargs)]

    def send_messages(self, email_messages):
        sent = 0
        for backend in self.backends:
            sent = backend.send_messages(email_messages)
        return sent
