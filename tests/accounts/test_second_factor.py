from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]


@pytest.fixture
def second_factor_on():
    with override_settings(PASIP_REQUIRE_SECOND_FACTOR=True):
        yield


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_a_coordinator_pairs_an_app_then_reaches_the_pages_only_with_its_code(client):
    coordinator = UserFactory(coordinator=True)
    log_in(client, coordinator)
    assert client.get(reverse("stats_home")).url == reverse("second_factor")
    assert client.get(reverse("second_factor")).url == reverse("second_factor_setup")
    page = client.get(reverse("second_factor_setup")).content.decode()
    assert "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)

    wrong = client.post(reverse("second_factor_setup"), {"code": "000000"}, follow=True)
    assert "Code incorrect" in wrong.content.decode()
    # After a wrong code django-otp makes the device wait a little before the next try.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        client.post(reverse("second_factor_setup"), {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("stats_home")).status_code == 200

    # Next login: the password alone is not enough.
    client.post(reverse("logout"))
    log_in(client, coordinator)
    assert client.get(reverse("stats_home")).url == reverse("second_factor")
    assert client.get("/api/v1/stats/referrals-by-epci-month/").json()["code"] == (
        "second_factor_required"
    )
    client.post(reverse("second_factor"), {"code": "123"})
    assert client.get(reverse("stats_home")).url == reverse("second_factor")
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):
        client.post(reverse("second_factor"), {"code": code_for(device)})
        assert client.get(reverse("stats_home")).status_code == 200


def test_social_workers_and_officers_are_not_asked(client):
    for user in (UserFactory(), UserFactory(officer=True)):
        log_in(client, user)
        assert client.get(reverse("home")).url != reverse("second_factor")
        client.post(reverse("logout"))


def test_no_api_token_for_a_role_that_needs_the_second_factor(client):
    coordinator = UserFactory(coordinator=True)
    response = client.post(
        "/api/v1/auth/token/", {"username": coordinator.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    social_worker = UserFactory()
    response = client.post(
        "/api/v1/auth/token/", {"username": social_worker.username, "password": PASSWORD}
    )
    assert "token" in response.json()


HOSTILE_TARGETS = [
    "https://other.example/",
    "//other.example/",
    "/\\other.example/",
    "https:other.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_login_then_second_factor_never_send_the_user_to_another_site(client, target):
    coordinator = UserFactory(coordinator=True)
    device = TOTPDevice.objects.create(user=coordinator, confirmed=True, name="app")
    response = client.post(
        f"{reverse('login')}?{urlencode({'next': target})}",
        {"username": coordinator.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "other.example" not in response.url and not response.url.startswith("javascript")
    assert client.get(response.url).url == reverse("second_factor")  # held at the second factor

    response = client.post(
        f"{reverse('second_factor')}?{urlencode({'next': target})}", {"code": code_for(device)}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_after_the_second_factor_the_user_lands_on_the_page_of_this_site_asked_for(client):
    coordinator = UserFactory(coordinator=True)
    device = TOTPDevice.objects.create(user=coordinator, confirmed=True, name="app")
    log_in(client, coordinator)
    target = reverse("stats_home")
    response = client.post(
        f"{reverse('second_factor')}?{urlencode({'next': target})}", {"code": code_for(device)}
    )
    assert response.url == target
    assert client.get(target).status_code == 200
