"""Hostile input: the login form (see tests/security/hostile.py)."""

import pytest
from django.urls import reverse

from tests.factories import (
    UserFactory,
)
from tests.security.hostile import (
    ATTRIBUTE,
    LONG,
    NUL,
    SCRIPT,
    SQL,
    assert_escaped,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (LONG, LONG),
        (NUL, "mot de passe"),
        (SCRIPT, ATTRIBUTE),
        (SQL, "' OR '1'='1"),
        ("agent", "\x00"),
        ("", ""),
    ],
    ids=["long", "nul", "markup", "sql", "nul-password", "empty"],
)
def test_login_refuses_junk_in_french(client, username, password):
    UserFactory(username="agent")
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert_escaped(response.content.decode(), SCRIPT)
    assert_escaped(response.content.decode(), ATTRIBUTE)
