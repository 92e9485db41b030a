"""The persons through the API as on the pages: the list's search sent in a POST body (no name
in a URL), in pages, among visible persons only; a list or a search writes nothing to the
access log, a person opened (retrieved, exported) one row; the coordinator filters the access
log as on its page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import PersonAccess
from tests.factories import PersonFactory, ReferralFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/persons/search/"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def found(response):
    assert response.status_code == 200, response.content
    return names(response.json())


def names(data):
    return [f"{row['last_name']} {row['first_name']}" for row in data["results"]]


def test_the_search_finds_by_name_folded_birth_year_and_commune_in_a_post_body():
    user = UserFactory()
    PersonFactory(created_by=user, first_name="Hélène", last_name="Lacoste-Bénac", birth_year=1948)
    PersonFactory(created_by=user, first_name="Josette", last_name="Aa", birth_year=1951)
    PersonFactory(created_by=user, first_name="Josette", last_name="Bb", birth_year=1962)
    PersonFactory(
        created_by=user,
        first_name="Josette",
        last_name="Cc",
        birth_year=1951,
        commune=commune("46042"),
    )
    api = api_as(user)

    assert found(api.post(SEARCH, {"name": "helene lacoste benac"}, format="json")) == [
        "Lacoste-Bénac Hélène"
    ]
    assert found(api.post(SEARCH, {"birth_year": 1951}, format="json")) == [
        "Aa Josette",
        "Cc Josette",
    ]
    both = {"birth_year": "1951", "commune": "gramat"}
    assert found(api.post(SEARCH, both, format="json")) == ["Aa Josette"]
    assert found(api.post(SEARCH, {"commune": "Cahors"}, format="json")) == ["Cc Josette"]
    assert len(found(api.post(SEARCH, {}, format="json"))) == 4  # no criterion: everyone


def test_the_search_gives_each_persons_last_referral():
    user = UserFactory()
    person = PersonFactory(created_by=user, last_name="Delpech")
    ReferralFactory(person=person, declined=True)
    PersonFactory(created_by=user, last_name="Delpech-Sans")
    rows = api_as(user).post(SEARCH, {"name": "delpech"}, format="json").json()["results"]
    last = person.referrals.get()
    assert [(r["last_referral_code"], r["last_referral_state"]) for r in rows] == [
        (last.code, "declined"),
        (None, None),
    ]


def test_a_wrong_criterion_is_refused_in_french():
    response = api_as(UserFactory()).post(
        SEARCH, {"name": "Delpech", "birth_year": "19x1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["birth_year"] == [
        "Indiquez une année sur quatre chiffres, par exemple 1951."
    ]
    response = api_as(UserFactory()).post(SEARCH, {"name": "Del\x00pech"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]


def test_the_search_never_finds_another_structures_persons_and_is_for_social_workers():
    mine, other = UserFactory(), UserFactory()
    PersonFactory(created_by=other, last_name="Delpech")
    PersonFactory(created_by=mine, last_name="Delpech-Mine")
    assert found(api_as(mine).post(SEARCH, {"name": "delpech"}, format="json")) == [
        "Delpech-Mine Josette"
    ]
    for user in (UserFactory(coordinator=True), UserFactory(advisor=True)):
        assert api_as(user).post(SEARCH, {"name": "delpech"}, format="json").status_code == 403
    assert APIClient().post(SEARCH, {"name": "delpech"}, format="json").status_code in (401, 403)


def test_the_search_is_not_a_get_so_no_name_travels_in_a_url():
    response = api_as(UserFactory()).get(SEARCH, {"name": "delpech"})
    assert response.status_code == 405


def test_the_search_comes_in_pages_by_page_number_only():
    user = UserFactory()
    for number in range(52):
        PersonFactory(created_by=user, last_name=f"Delpech{number:02d}")
    api = api_as(user)
    first = api.post(SEARCH, {"name": "delpech"}, format="json").json()
    assert first["count"] == 52 and len(first["results"]) == 50
    assert first["next"].endswith("/api/v1/persons/search/?page=2")
    second = api.post(first["next"], {"name": "delpech"}, format="json").json()
    assert names(second) == ["Delpech50 Josette", "Delpech51 Josette"]


def test_listing_or_searching_persons_writes_no_row_opening_one_writes_one():
    user = UserFactory()
    persons = PersonFactory.create_batch(7, created_by=user)
    api = api_as(user)

    listed = api.get("/api/v1/persons/").json()
    assert listed["count"] == 7
    assert api.post(SEARCH, {"birth_year": 1951}, format="json").json()["count"] == 7
    assert not PersonAccess.objects.exists()

    opened = persons[3]
    assert api.get(f"/api/v1/persons/{opened.pk}/").status_code == 200
    [access] = PersonAccess.objects.all()
    assert (access.user, access.person, access.where) == (
        user,
        opened,
        f"API GET /api/v1/persons/{opened.pk}/",
    )
    assert api.get(f"/api/v1/persons/{opened.pk}/export/").status_code == 200
    assert PersonAccess.objects.filter(person=opened).count() == 2
    assert PersonAccess.objects.count() == 2


def test_the_coordinator_filters_the_api_access_log_as_on_its_page():
    coordinator = UserFactory(coordinator=True)
    first, second = UserFactory(), UserFactory()
    alice, bob = PersonFactory(created_by=first), PersonFactory(created_by=second)
    now = timezone.now()
    PersonAccess.objects.create(user=first, person=alice, where="/a/", at=now - timedelta(days=40))
    PersonAccess.objects.create(user=first, person=alice, where="/b/", at=now)
    PersonAccess.objects.create(user=second, person=bob, where="/c/", at=now)
    api = api_as(coordinator)

    def wheres(params=None):
        response = api.get("/api/v1/access-log/", params or {})
        assert response.status_code == 200, response.content
        return [row["where"] for row in response.json()["results"]]

    assert wheres() == ["/c/", "/b/", "/a/"]  # the newest first
    assert wheres({"person": alice.pk}) == ["/b/", "/a/"]
    assert wheres({"user": second.pk}) == ["/c/"]
    since = (now - timedelta(days=7)).date().isoformat()
    assert wheres({"start": since}) == ["/c/", "/b/"]
    until = (now - timedelta(days=39)).date().isoformat()
    assert wheres({"end": until, "person": alice.pk}) == ["/a/"]
    wrong = api.get("/api/v1/access-log/", {"start": since, "end": until})
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["end"] == ["La fin de la période doit suivre son début."]
    wrong = api.get("/api/v1/access-log/", {"person": "abc"})
    assert wrong.json()["errors"]["person"] == [
        "Indiquez le numéro de la personne, en chiffres (par exemple 42)."
    ]
