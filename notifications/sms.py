"""Sending SMS through a provider: the interface, and the console and file backends.

A real provider is one class with `send()`, chosen by the `PASIP_SMS_BACKEND` setting (a dotted
path). `send()` returns the provider's reference for the message, or raises `SmsError` with the
provider's answer (the message is then retried, and failed after the last attempt).
"""

import json
import logging
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


# A French mobile number once spaces, dots, dashes and brackets are gone: 06 or 07 and eight
# digits, written nationally or internationally (+33 6…, 0033 6…, +33 (0)6…).
FRENCH_MOBILE = re.compile(r"^(?:0|\+33|0033)[67]\d{8}$")


def is_french_mobile(number):
    """Whether `number` is a French mobile one (06, 07, +336, +337, 00336, 00337): only those
    may receive an SMS; a landline (01–05, 09) never does."""
    digits = re.sub(r"[\s.\-()/]", "", number or "")
    digits = re.sub(r"^(\+33|0033)0", r"\1", digits)  # +33 (0)6 12…
    return bool(FRENCH_MOBILE.match(digits))


class SmsError(Exception):
    """The provider refused the message or could not be reached; its answer is the text."""


class SmsBackend:
    def send(self, *, to, text, idempotency_key):
        """Sends `text` to the phone number `to`; returns the provider's reference.

        `idempotency_key` is the same on every attempt for one message: a provider that
        supports it must be given it, so that a retried send is not delivered twice.
        """
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Development: the SMS is written to the log, the number masked (logs hold no contact)."""

    def send(self, *, to, text, idempotency_key):
        logger.info("SMS to …%s (%s): %s", to[-2:], idempotency_key, text)
        return f"console-{idempotency_key}"


class FileSmsBackend(SmsBackend):
    """Development and tests: one JSON line per SMS in `PASIP_SMS_FILE` (var/sms.jsonl)."""

    def send(self, *, to, text, idempotency_key):
        path = Path(getattr(settings, "PASIP_SMS_FILE", settings.VAR_DIR / "sms.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": to,
            "text": text,
            "idempotency_key": idempotency_key,
        }
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{idempotency_key}"


def get_backend():
    dotted = getattr(settings, "PASIP_SMS_BACKEND", "notifications.sms.FileSmsBackend")
    return import_string(dotted)()
