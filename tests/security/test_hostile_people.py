"""Hostile input: the person registration (page and API), consent and names.

The shared values and checks are in tests/security/hostile.py.
"""

import json

import pytest
from django.urls import reverse

from people.models import Consent, Person
from tests.factories import (
    PersonFactory,
    UserFactory,
)
from tests.security.hostile import (
    CONTROLS,
    INVISIBLE,
    LONG,
    MARKUP,
    NUL,
    SCRIPT,
    SQL,
    TEXTS,
    api,
    assert_escaped,
    assert_refused_in_french,
    french,
    page_errors,
    person_json,
    registration,
    social_worker_client,
)

pytestmark = pytest.mark.django_db


# --- Person registration -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone", "email"])
@pytest.mark.parametrize("kind", list(TEXTS))
def test_person_registration_page_refuses_or_escapes(client, field, kind):
    user = social_worker_client(client)
    value = TEXTS[kind]
    before = (Person.objects.count(), Consent.objects.count())

    response = client.post(reverse("person_create"), registration(**{field: value}))

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert list(errors) == [field], errors  # refused for this field, nothing else
        for error in errors[field]:
            french(error)
        assert (Person.objects.count(), Consent.objects.count()) == before
        assert_escaped(response.content.decode(), value)
        return
    assert kind in MARKUP, f"{kind} stored in {field}"
    person = Person.objects.get(created_by=user)
    assert getattr(person, field) == value
    for url in (reverse("person_list"), reverse("person_detail", args=[person.pk])):
        assert_escaped(client.get(url).content.decode(), value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"birth_year": "-1951"},
        {"birth_year": "99999999999999999999999"},
        {"birth_year": "1951.5"},
        {"birth_year": SCRIPT},
        {"commune": "99999999999999999999999"},
        {"commune": SQL},
        {"commune": "-1"},
        {"commune": "Gramat" * 10_000},  # 60,000 characters: over SQLite's LIKE pattern limit
        {"preferred_channel": SCRIPT},
        {"consent_method": "'; DROP TABLE people_person; --"},
        {"share_identity": ""},
        {"first_name": ""},
        {"first_name": "   "},
    ],
    ids=lambda overrides: "-".join(f"{k}={v[:12]}" for k, v in overrides.items()),
)
def test_person_registration_page_refuses_junk_with_a_french_message(client, overrides):
    social_worker_client(client)
    response = client.post(reverse("person_create"), registration(**overrides))
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Person.objects.count() == 0 and Consent.objects.count() == 0
    assert_escaped(response.content.decode(), SCRIPT)


@pytest.mark.parametrize(
    "overrides",
    [
        {"first_name": LONG},
        {"first_name": NUL},
        {"first_name": CONTROLS},
        {"last_name": "Del\u202epech"},
        {"first_name": ["Jo", "sette"]},
        {"first_name": {"$ne": ""}},
        {"first_name": None},
        {"first_name": ...},
        {"birth_year": -5},
        {"birth_year": 10**30},
        {"birth_year": "mil neuf cent"},
        {"birth_year": [1951]},
        {"commune": SQL},
        {"commune": ["46128"]},
        {"commune": {"insee": "46128"}},
        {"email": SCRIPT},
        {"phone": "0" * 500},
        {"preferred_channel": "pigeon"},
        {"share_identity": "peut-être"},
        {"share_identity": False},
        {"consent_method": None},
    ],
    ids=lambda overrides: "-".join(f"{k}={str(v)[:12]}" for k, v in overrides.items()),
)
def test_person_api_refuses_junk_with_a_french_message(overrides):
    user = UserFactory()
    response = api(user).post("/api/v1/persons/", person_json(**overrides), format="json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0 and Consent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'"Josette"', b"\xff\xfe\x00{", b"null", b"{" * 5000],
    ids=["truncated", "list", "string", "utf16", "null", "deep"],
)
def test_person_api_refuses_a_broken_body(body):
    user = UserFactory()
    response = api(user).post("/api/v1/persons/", body, content_type="application/json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("kind", list(MARKUP))
def test_person_api_keeps_markup_as_text_and_ignores_extra_fields(kind):
    user = UserFactory()
    response = api(user).post(
        "/api/v1/persons/",
        person_json(first_name=MARKUP[kind], structure=999, created_by=1, id=77),
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert person.first_name == MARKUP[kind] and person.structure_id == user.structure_id


# --- Consent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"share_identity": "on", "method": SCRIPT},
        {"share_identity": "on", "method": SQL},
        {"share_identity": "", "method": "oral"},
        {"share_identity": "on", "method": ["oral", "written"]},
        {"share_identity": "on"},
        {"share_identity": NUL, "method": NUL},
    ],
    ids=lambda data: json.dumps(data)[:30],
)
def test_consent_recording_refuses_junk(client, data):
    person = PersonFactory()
    client.force_login(person.created_by)
    before = list(Consent.objects.values_list("pk", "revoked_at"))
    response = client.post(reverse("consent_record", args=[person.pk]), data)
    assert response.status_code == 302
    assert list(Consent.objects.values_list("pk", "revoked_at")) == before
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert_escaped(client.get(response.url).content.decode(), SCRIPT)


@pytest.mark.parametrize("value", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_and_bidirectional_characters_are_refused_in_names(client, value):
    social_worker_client(client)
    response = client.post(reverse("person_create"), registration(last_name=value))
    assert response.status_code == 200
    for error in response.context["form"].errors["last_name"]:
        french(error)
    assert Person.objects.count() == 0
    response = api(UserFactory()).post(
        "/api/v1/persons/", person_json(first_name=value), format="json"
    )
    assert_refused_in_french(response)
    assert Person.objects.count() == 0
