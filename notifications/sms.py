"""Sending SMS through a provider: the interface, the HTTP provider, and the development ones.

The backend is chosen from the environment, `PASIP_SMS_BACKEND`:

- `http`: a provider's HTTP API (`PASIP_SMS_URL`, `PASIP_SMS_TOKEN`), `HttpSmsBackend`;
- `none`: no SMS at all (production's default until a provider is configured): a person who
  prefers the phone is told by e-mail when they gave an address, else not told, and the page
  says so;
- `file` (development's and the tests' default) and `console`: nothing leaves the machine;
  the production settings refuse to start with either (`pasip.settings.prod`);
- or the dotted path of a class with `send()`.

`send()` returns the provider's reference for the message, or raises `SmsError` with the
provider's answer (the message is then retried, and failed after the last attempt). No backend
writes a phone number in clear to a file or a log: only its last two digits.
"""

import json
import logging
import re
import urllib.error
import urllib.request
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
        logger.info("SMS to %s (%s): %s", masked(to), idempotency_key, text)
        return f"console-{idempotency_key}"


def masked(number):
    """A phone number as files and logs may show it: its last two digits only."""
    digits = re.sub(r"\D", "", number or "")
    return f"…{digits[-2:]}"


class FileSmsBackend(SmsBackend):
    """Development and tests: one JSON line per SMS in `PASIP_SMS_FILE` (var/sms.jsonl), the
    number masked (the message's idempotency key names its row, which names the person)."""

    def send(self, *, to, text, idempotency_key):
        path = Path(settings.PASIP_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": masked(to),
            "text": text,
            "idempotency_key": idempotency_key,
        }
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{idempotency_key}"


class HttpSmsBackend(SmsBackend):
    """A provider's HTTP API: POST `PASIP_SMS_URL` with a bearer token (`PASIP_SMS_TOKEN`) and
    the JSON body {"to", "text", "idempotency_key"}; the answer's "id" is the reference. A 2xx
    answer is accepted; anything else, or no answer within 10 seconds, is an `SmsError`."""

    def send(self, *, to, text, idempotency_key):
        body = json.dumps({"to": to, "text": text, "idempotency_key": idempotency_key})
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.PASIP_SMS_URL,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {settings.PASIP_SMS_TOKEN}",
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (as above)
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SmsError(
                f"{error.code} {error.read()[:500].decode('utf-8', 'replace')}"
            ) from None
        except (OSError, ValueError) as error:
            raise SmsError(f"{type(error).__name__}: {error}") from None
        return str(answer.get("id", ""))[:100]


BACKENDS = {
    "file": "notifications.sms.FileSmsBackend",
    "console": "notifications.sms.ConsoleSmsBackend",
    "http": "notifications.sms.HttpSmsBackend",
}


def sms_enabled():
    return settings.PASIP_SMS_BACKEND != "none"


def get_backend():
    name = settings.PASIP_SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()
