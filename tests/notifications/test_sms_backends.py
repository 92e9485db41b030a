"""The SMS backend comes from the environment: a provider's HTTP API (a real HTTP listener
stands for it), none, or the development ones, which production refuses; no number in clear on
disk or in the logs."""

import json
import logging
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings as django_settings

from notifications import sms
from notifications.services import person_channel_explained
from people.models import ContactChannel
from tests.factories import PersonFactory


class Provider(BaseHTTPRequestHandler):
    requests = []
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's method name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Provider.requests.append((dict(self.headers), body))
        self.send_response(Provider.status)
        self.end_headers()
        answer = {"id": "msg-42"} if Provider.status == 200 else {"error": "quota dépassé"}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    Provider.requests, Provider.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PASIP_SMS_BACKEND = "http"
    settings.PASIP_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    settings.PASIP_SMS_TOKEN = "jeton-secret"  # noqa: S105 (a test value)
    yield Provider
    server.shutdown()


def test_the_http_backend_posts_to_the_provider_with_its_token_and_key(provider, caplog):
    with caplog.at_level(logging.DEBUG):
        reference = sms.get_backend().send(
            to="06 12 34 56 78", text="Bonjour", idempotency_key="k1"
        )
    assert reference == "msg-42"
    [(headers, body)] = provider.requests
    assert headers["Authorization"] == "Bearer jeton-secret"
    assert headers["Idempotency-Key"] == "k1"
    assert body == {"to": "06 12 34 56 78", "text": "Bonjour", "idempotency_key": "k1"}
    assert "06 12 34 56 78" not in caplog.text


def test_a_provider_refusal_is_an_sms_error_with_its_answer(provider):
    provider.status = 503
    with pytest.raises(sms.SmsError, match="503 .*quota"):
        sms.get_backend().send(to="0612345678", text="Bonjour", idempotency_key="k2")


def test_an_unreachable_provider_is_an_sms_error(settings):
    settings.PASIP_SMS_BACKEND = "http"
    settings.PASIP_SMS_URL = "http://127.0.0.1:9/v1/sms"  # nothing listens on the discard port
    with pytest.raises(sms.SmsError):
        sms.get_backend().send(to="0612345678", text="Bonjour", idempotency_key="k3")


def test_the_development_backends_never_write_a_number_in_clear(settings, tmp_path, caplog):
    settings.PASIP_SMS_BACKEND = "file"
    settings.PASIP_SMS_FILE = tmp_path / "sms.jsonl"
    sms.get_backend().send(to="06 12 34 56 78", text="Bonjour", idempotency_key="k4")
    written = settings.PASIP_SMS_FILE.read_text()
    assert json.loads(written)["to"] == "…78"
    assert "12 34 56" not in written and "12345678" not in written
    settings.PASIP_SMS_BACKEND = "console"
    with caplog.at_level(logging.INFO, logger="notifications.sms"):
        sms.get_backend().send(to="06 12 34 56 78", text="Bonjour", idempotency_key="k5")
    assert "…78" in caplog.text and "12 34 56" not in caplog.text


@pytest.mark.django_db
def test_with_no_sms_a_person_preferring_the_phone_gets_an_e_mail_or_nothing_and_is_told(
    settings,
):
    settings.PASIP_SMS_BACKEND = "none"
    with_email = PersonFactory(preferred_channel=ContactChannel.PHONE, phone="0612345678")
    channel, sentence = person_channel_explained(with_email)
    assert channel == "email" and "les SMS ne sont pas en service" in sentence
    with_email.email = ""
    channel, sentence = person_channel_explained(with_email)
    assert channel is None and "ne sera pas prévenue" in sentence


PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "pasip.settings.prod",
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "pasip.example.org",
    "DATABASE_URL": "postgres://pasip@db.example.org:5432/pasip",
}


def production_sms_backend(**environment):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.PASIP_SMS_BACKEND)",
        ],  # fmt: skip
        cwd=django_settings.BASE_DIR,
        env={**PRODUCTION, **environment},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "environment",
    [
        {"PASIP_SMS_BACKEND": "file"},
        {"PASIP_SMS_BACKEND": "console"},
        {"PASIP_SMS_BACKEND": "notifications.sms.FileSmsBackend"},
        {"PASIP_SMS_BACKEND": "http"},  # without its address and token
    ],
    ids=["file", "console", "file-by-path", "http-unconfigured"],
)
def test_production_refuses_to_start_with_a_backend_that_sends_nothing(environment):
    result = production_sms_backend(**environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PASIP_SMS" in result.stderr


def test_production_starts_with_no_sms_by_default_or_with_a_configured_provider():
    assert production_sms_backend().stdout.strip() == "none"
    configured = production_sms_backend(
        PASIP_SMS_BACKEND="http", PASIP_SMS_URL="https://sms.example.org/v1", PASIP_SMS_TOKEN="t"
    )
    assert configured.stdout.strip() == "http", configured.stderr
