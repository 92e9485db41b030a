"""API tokens: they expire, a new password and the revoke endpoint end them, and the API is
throttled per user and per anonymous address."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"


def token_of(user):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_lasts_12_hours_then_is_refused_and_deleted():
    user = UserFactory()
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    token = answer.json()["token"]
    assert answer.json()["expires_at"]
    with time_machine.travel(timezone.now() + timedelta(hours=11, minutes=59)):
        assert with_token(token).get(PERSONS).status_code == 200
        assert token_of(user) == token  # asked again within its life: the same token
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        response = with_token(token).get(PERSONS)
        assert response.status_code == 403  # 403: session authentication comes first
        assert response.json()["code"] == "token_expired"
        assert "expiré" in response.json()["detail"]
        assert not Token.objects.filter(key=token).exists()
        renewed = token_of(user)
        assert renewed != token
        assert with_token(renewed).get(PERSONS).status_code == 200


def test_a_token_expired_but_not_yet_used_is_replaced_when_asked_for():
    user = UserFactory()
    token = token_of(user)
    with time_machine.travel(timezone.now() + timedelta(hours=13)):
        renewed = token_of(user)
        assert renewed != token
        assert with_token(renewed).get(PERSONS).status_code == 200


def test_a_new_password_revokes_the_token():
    user = UserFactory()
    token = token_of(user)
    user.first_name = "Autre"
    user.save()  # other changes keep it
    assert with_token(token).get(PERSONS).status_code == 200
    user.set_password("un tout autre mot de passe")
    user.save()
    refused = with_token(token).get(PERSONS)
    assert refused.status_code == 403
    assert refused.json()["code"] == "authentication_failed"
    assert not Token.objects.filter(user=user).exists()


def test_the_revoke_endpoint_ends_the_token():
    token = token_of(UserFactory())
    client = with_token(token)
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get(PERSONS).json()["code"] == "authentication_failed"
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code == 403


@override_settings(PASIP_REQUIRE_SECOND_FACTOR=True)
def test_no_token_row_for_a_role_the_second_factor_refuses():
    coordinator = UserFactory(coordinator=True)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": coordinator.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert not Token.objects.filter(user=coordinator).exists()


@override_settings(PASIP_API_THROTTLE_RATES={"anon": "3/minute", "user": "5/minute"})
def test_the_api_is_throttled_per_user_and_per_anonymous_address():
    cache.clear()
    user, colleague = UserFactory(), UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    assert [client.get(PERSONS).status_code for _ in range(5)] == [200] * 5
    throttled = client.get(PERSONS)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "Requête" in throttled.json()["detail"] or "requête" in throttled.json()["detail"]
    other = APIClient()
    other.force_authenticate(colleague)
    assert other.get(PERSONS).status_code == 200  # per user

    anonymous = APIClient()
    assert [anonymous.get("/api/v1/").status_code for _ in range(3)] == [200] * 3
    assert anonymous.get("/api/v1/").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert anonymous.get("/api/v1/").status_code == 200
    cache.clear()
