"""Errors reach someone: JSON logs under the production settings, Sentry when SENTRY_DSN is
set (a real HTTP listener standing for Sentry), and an error page that says the team is told
only when it is."""

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import brotli  # installed with WeasyPrint's font tools; Sentry compresses with it when present
import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from pasip.views import server_error

CODE = """
import logging, django
django.setup()
from django.conf import settings
logging.getLogger("pasip.test").error("la tâche a échoué", extra={"referral_id": 42})
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("pasip.test").exception("division")
import sentry_sdk
sentry_sdk.flush(timeout=10)
print("REPORTED", settings.PASIP_ERRORS_REPORTED)
"""


def production(**environment):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "pasip.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "pasip.example.org",
        "DATABASE_URL": "postgres://pasip@db.example.org:5432/pasip",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


def test_production_logs_one_json_object_a_line_in_utc():
    result = production()
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    error = next(record for record in records if record["message"] == "la tâche a échoué")
    assert error["level"] == "ERROR" and error["logger"] == "pasip.test"
    assert error["referral_id"] == 42
    assert error["time"].endswith("Z")
    division = next(record for record in records if record["message"] == "division")
    assert "ZeroDivisionError" in division["exc_info"]
    assert "REPORTED False" in result.stdout


class Envelopes(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's method name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "gzip":
            body = gzip.decompress(body)
        Envelopes.received.append((self.path, body.decode("utf-8", "replace")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_listener():
    Envelopes.received = []
    server = HTTPServer(("127.0.0.1", 0), Envelopes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_with_a_sentry_dsn_errors_are_sent_to_sentry(sentry_listener):
    dsn = f"http://publickey@127.0.0.1:{sentry_listener}/7"
    result = production(SENTRY_DSN=dsn)
    assert "REPORTED True" in result.stdout
    paths = {path for path, _body in Envelopes.received}
    assert paths == {"/api/7/envelope/"}
    events = [
        json.loads(line)
        for _path, body in Envelopes.received
        for line in body.splitlines()
        if line.startswith("{") and '"level"' in line
    ]
    messages = {event.get("logentry", {}).get("message") for event in events}
    assert {"la tâche a échoué", "division"} <= messages
    exceptions = [
        value["type"] for e in events for value in e.get("exception", {}).get("values", [])
    ]
    assert exceptions == ["ZeroDivisionError"]
    # Nothing of the frames' local variables (personal data could be there).
    frames = [
        frame
        for e in events
        for value in e.get("exception", {}).get("values", [])
        for frame in value["stacktrace"]["frames"]
    ]
    assert frames and not any("vars" in frame for frame in frames)


def test_the_error_page_says_the_team_is_told_only_when_it_is():
    request = RequestFactory().get("/")
    with override_settings(PASIP_ERRORS_REPORTED=False):
        page = server_error(request).content.decode()
        assert "prévenue" not in page and "Erreur du serveur" in page
    with override_settings(PASIP_ERRORS_REPORTED=True):
        assert "technique est prévenue" in server_error(request).content.decode()
