import logging
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tasks import prune_login_logs
from pasip.validators import DEMO_PASSWORD
from tests.factories import PASSWORD, UserFactory
from tests.processes import free_port
from worker.celery import app

pytestmark = pytest.mark.django_db


def fail_login(client, username, address="192.0.2.10"):
    return client.post(
        reverse("login"), {"username": username, "password": "faux"}, REMOTE_ADDR=address
    )


@override_settings(AXES_ENABLED=True)
def test_ten_failures_lock_that_username_from_that_address_for_15_minutes(client):
    user = UserFactory()
    for _ in range(9):
        assert fail_login(client, user.username).status_code == 200
    assert fail_login(client, user.username).status_code == 429
    good = {"username": user.username, "password": PASSWORD}
    locked = client.post(reverse("login"), good, REMOTE_ADDR="192.0.2.10")
    assert locked.status_code == 429
    assert "Trop d'essais de mot de passe incorrects" in locked.content.decode()
    # Colleagues behind the same address, and the same user elsewhere, are not locked out.
    other = UserFactory()
    assert (
        client.post(
            reverse("login"),
            {"username": other.username, "password": PASSWORD},
            REMOTE_ADDR="192.0.2.10",
        ).status_code
        == 302
    )
    client.logout()
    assert client.post(reverse("login"), good, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.post(reverse("login"), good, REMOTE_ADDR="192.0.2.10").status_code == 302


@override_settings(AXES_ENABLED=True)
def test_an_address_trying_many_usernames_is_locked_after_30_failures_within_an_hour(client):
    user = UserFactory()
    good = {"username": user.username, "password": PASSWORD}
    for number in range(29):  # one failure per username: the username lock never triggers
        assert fail_login(client, f"agent-{number}").status_code == 200
    assert fail_login(client, "agent-29").status_code == 429
    # The address is locked for every username, existing or not, with the same answer.
    locked = client.post(reverse("login"), good, REMOTE_ADDR="192.0.2.10")
    unknown = client.post(
        reverse("login"), {"username": "personne", "password": "x"}, REMOTE_ADDR="192.0.2.10"
    )
    assert locked.status_code == unknown.status_code == 429
    assert locked.content == unknown.content
    # Another address is not.
    assert client.post(reverse("login"), good, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    # An hour after those failures, the address may try again.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert client.post(reverse("login"), good, REMOTE_ADDR="192.0.2.10").status_code == 302


@override_settings(AXES_ENABLED=True)
def test_29_failures_of_an_address_within_an_hour_lock_nobody(client):
    user = UserFactory()
    for number in range(29):
        assert fail_login(client, f"agent-{number}").status_code == 200
    good = {"username": user.username, "password": PASSWORD}
    assert client.post(reverse("login"), good, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_the_demo_password_opens_no_session_outside_the_demo_settings(client, settings):
    user = UserFactory()
    user.set_password(DEMO_PASSWORD)  # as load_demo does, bypassing the validators
    user.save()
    credentials = {"username": user.username, "password": DEMO_PASSWORD}
    assert client.post(reverse("login"), credentials).status_code == 302
    client.logout()
    del settings.PASIP_DEMO_PASSWORD  # as under the production settings
    refused = client.post(reverse("login"), credentials)
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    token = client.post("/api/v1/auth/token/", credentials)
    assert token.status_code == 400


@override_settings(AXES_ENABLED=True)
def test_the_api_token_endpoint_is_throttled_too(client):
    user = UserFactory()
    for _ in range(10):
        client.post("/api/v1/auth/token/", {"username": user.username, "password": "faux"})
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("court-11car", False),  # 11 characters
        ("telechargement", False),  # a common password
        ("lotissement des causses", True),  # 12+ characters, no composition rule
        ("461234567890", False),  # digits only
        (DEMO_PASSWORD, False),  # the demo's, public
    ],
)
def test_passwords_need_12_characters_and_no_common_one(password, accepted):
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_a_session_ends_after_30_minutes_idle(client):
    client.force_login(UserFactory())
    assert client.get(reverse("person_list")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=25)):
        assert client.get(reverse("person_list")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=25 + 31)):
        assert client.get(reverse("person_list")).status_code == 302


def test_a_session_ends_12_hours_after_login_even_when_active(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("person_list")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get(reverse("person_list")).status_code == 302


def test_logout_kills_the_session_on_the_server(client):
    client.force_login(UserFactory())
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if "script-src" in part)
    assert "unsafe-inline" not in script_src and "'self'" in script_src
    style_src = next(part for part in policy.split(";") if "style-src" in part)
    assert style_src.strip() == "style-src 'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_docs_page_needs_no_inline_script(client):
    client.force_login(UserFactory())
    page = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")


def test_authentication_events_are_logged_in_utc_without_secrets(client, caplog):
    user = UserFactory()
    with caplog.at_level(logging.INFO, logger="pasip.auth"):
        client.post(reverse("login"), {"username": user.username, "password": "faux-secret"})
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        client.post(reverse("logout"))
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("login_failed")
    assert messages[1] == f"login user_id={user.pk} ip=127.0.0.1"
    assert messages[2].startswith(f"logout user_id={user.pk}")
    assert not any("faux-secret" in m or PASSWORD in m for m in messages)


def test_pages_deny_every_powerful_browser_feature(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_the_api_schema_and_its_documentation_are_behind_login(client):
    for url in ("/api/v1/schema/", "/api/v1/docs/"):
        assert client.get(url).status_code in (401, 403)
    client.force_login(UserFactory())
    for url in ("/api/v1/schema/", "/api/v1/docs/"):
        assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_web_server_does_not_name_itself(tmp_path):
    """gunicorn started as the image starts it (its gunicorn.conf.py), asked for a page."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.test",
        "PASIP_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "pasip.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/") as response:
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert headers["Server"] == "PASIP"
    assert "gunicorn" not in str(headers).lower()
    assert "camera=()" in headers["Permissions-Policy"]


def test_login_logs_are_deleted_after_six_months():
    recent = AccessFailureLog.objects.create(username="a", ip_address="192.0.2.1")
    old = AccessFailureLog.objects.create(username="b", ip_address="192.0.2.2")
    AccessFailureLog.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - timedelta(days=181)
    )
    success = AccessLog.objects.create(username="c", ip_address="192.0.2.3")
    AccessLog.objects.filter(pk=success.pk).update(
        attempt_time=timezone.now() - timedelta(days=181)
    )
    assert prune_login_logs() == {"successes": 1, "failures": 1}
    assert list(AccessFailureLog.objects.all()) == [recent]
    assert not AccessLog.objects.exists()
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "accounts.tasks.prune_login_logs" in schedule
