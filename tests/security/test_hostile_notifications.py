"""Hostile input: the notification preferences (see tests/security/hostile.py)."""

import json

import pytest
from django.urls import reverse

from notifications.models import NotificationPreference
from tests.factories import (
    UserFactory,
)
from tests.security.hostile import (
    NUL,
    SCRIPT,
    SQL,
    api,
    assert_escaped,
    assert_refused_in_french,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


# --- Notification preferences, statistics, login -----------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"mode": SCRIPT, "digest_hour": "8"},
        {"mode": "digest", "digest_hour": "25"},
        {"mode": "digest", "digest_hour": "-1"},
        {"mode": "digest", "digest_hour": "9" * 30},
        {"mode": "digest", "digest_hour": SQL},
        {"mode": NUL, "digest_hour": NUL},
        {},
    ],
    ids=lambda data: json.dumps(data)[:30],
)
def test_notification_preferences_refuse_junk(client, data):
    user = UserFactory()
    client.force_login(user)
    before = list(NotificationPreference.objects.values())
    response = client.post(reverse("notification_preferences"), data)
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert list(NotificationPreference.objects.values()) == before
    assert_escaped(response.content.decode(), SCRIPT)

    json_data = dict(data)
    if "digest_hour" in json_data and json_data["digest_hour"].lstrip("-").isdigit():
        json_data["digest_hour"] = int(json_data["digest_hour"])
    response = api(user).put("/api/v1/notifications/preferences/", json_data, format="json")
    assert_refused_in_french(response)
    assert list(NotificationPreference.objects.values()) == before
