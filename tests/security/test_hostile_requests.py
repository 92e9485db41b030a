"""Hostile input: raw requests: wrong encodings, oversized bodies, NUL characters in addresses.

The shared values and checks are in tests/security/hostile.py.
"""

import json

import pytest
from django.urls import reverse

from directory.enums import Service
from people.models import Person
from referrals.models import ReferralMessage
from tests.factories import (
    ReferralFactory,
    UserFactory,
)
from tests.security.hostile import (
    api,
    assert_refused_in_french,
    person_json,
    registration,
    social_worker_client,
)

pytestmark = pytest.mark.django_db


# --- Raw requests: wrong encodings, oversized bodies ------------------------------------------


def test_a_form_posted_in_latin_1_is_read_without_an_error(client):
    user = social_worker_client(client)
    body = "&".join(
        f"{key}={value}"
        for key, value in {
            **registration(first_name="Jos%E9phine", last_name="Delpech%00%FF"),
            "commune": "46128",
        }.items()
    )
    response = client.post(
        reverse("person_create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200  # the NUL byte refuses the last name
    assert list(response.context["form"].errors) == ["last_name"]
    assert not Person.objects.filter(created_by=user).exists()


def test_an_oversized_form_is_refused_with_a_french_page(client):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.post(
        reverse("referral_message", args=[referral.pk]), {"body": "x" * 5_000_000}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and 'lang="fr"' in html
    assert ReferralMessage.objects.count() == 0


def test_an_oversized_api_body_is_refused_in_french():
    user = UserFactory()
    body = json.dumps(person_json(first_name="x" * 5_000_000))
    response = api(user).post("/api/v1/persons/", body, content_type="application/json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/matching/", {"commune": "Z\x00³", "needs": [Service.ADMIN_PROCEDURES.value]}),
        ("/api/v1/persons/", {"commune": "Z\x00³"}),
    ],
    ids=["matching", "person"],
)
def test_a_nul_character_in_a_commune_code_is_refused_in_french(path, body):
    # What the API fuzzing sent once: PostgreSQL refuses to compare with a NUL (a 500 then).
    user = UserFactory()
    response = api(user).post(path, body, format="json")
    assert_refused_in_french(response)
    assert response.status_code == 400 and "commune" in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/?code=LOT-%00",
        "/api/v1/communes/?q=%00",
        "/api/v1/communes/46%00/",
        "/api/v1/referrals/?%00=1",
    ],
)
def test_a_nul_character_in_an_api_address_is_a_400_in_french(url):
    response = api(UserFactory()).get(url)
    assert_refused_in_french(response)
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["Gramat" * 10_000, "x" * 101])
def test_a_commune_search_too_long_is_refused_in_french_before_the_query(query):
    response = api(UserFactory()).get("/api/v1/communes/", {"q": query})
    assert_refused_in_french(response)
    assert api(UserFactory()).get("/api/v1/communes/", {"q": "Gram"}).json()["count"] == 1
