"""The persons' list (search kept out of URLs, pagination, last referral), the duplicate
warning before registering, and the coordinator's access log (filters, pagination)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Person, PersonAccess
from people.views import ACCESS_LOG_PAGE_SIZE, PERSONS_PAGE_SIZE
from tests.factories import PersonFactory, ReferralFactory, UserFactory, commune

pytestmark = pytest.mark.django_db


def names(response):
    return [f"{p.last_name} {p.first_name}" for p in response.context["persons"]]


def search(client, **criteria):
    response = client.post(reverse("person_list"), {"search": "", **criteria})
    assert response.status_code == 302
    assert response.url == reverse("person_list")  # nothing of the search in the URL
    return client.get(response.url)


def test_the_search_by_name_folds_case_and_accents_and_keeps_the_name_out_of_urls(client):
    user = UserFactory()
    PersonFactory(created_by=user, first_name="Hélène", last_name="Lacoste-Bénac")
    PersonFactory(created_by=user, first_name="Josette", last_name="Delpech")
    client.force_login(user)

    response = search(client, name="helene lacoste benac")
    assert names(response) == ["Lacoste-Bénac Hélène"]
    assert "helene" not in response.request["QUERY_STRING"]
    # The criteria stay for the next visit, until cleared.
    assert names(client.get(reverse("person_list"))) == ["Lacoste-Bénac Hélène"]
    assert 'value="helene lacoste benac"' in client.get(reverse("person_list")).content.decode()
    client.post(reverse("person_list"), {"reset": ""})
    assert len(names(client.get(reverse("person_list")))) == 2


def test_the_search_by_birth_year_and_commune(client):
    user = UserFactory()
    PersonFactory(created_by=user, last_name="Aa", birth_year=1951)
    PersonFactory(created_by=user, last_name="Bb", birth_year=1962)
    PersonFactory(created_by=user, last_name="Cc", birth_year=1951, commune=commune("46042"))
    client.force_login(user)

    assert names(search(client, birth_year="1951")) == ["Aa Josette", "Cc Josette"]
    assert names(search(client, birth_year="1951", commune="gramat")) == ["Aa Josette"]
    assert names(search(client, commune="Cahors")) == ["Cc Josette"]


def test_a_wrong_birth_year_is_refused_in_french_and_what_was_typed_stays(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("person_list"), {"search": "", "name": "Delpech", "birth_year": "19x1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["birth_year"] == [
        "Indiquez une année sur quatre chiffres, par exemple 1951."
    ]
    assert 'value="Delpech"' in response.content.decode()


def test_the_search_never_finds_another_structure_s_persons(client):
    mine, other = UserFactory(), UserFactory()
    PersonFactory(created_by=other, last_name="Delpech")
    PersonFactory(created_by=mine, last_name="Delpech-Mine")
    client.force_login(mine)
    assert names(search(client, name="delpech")) == ["Delpech-Mine Josette"]
    assert names(search(client, birth_year="1951")) == ["Delpech-Mine Josette"]


def test_the_list_is_paged_by_page_number_only_and_shows_the_last_referral(client):
    user = UserFactory()
    persons = [
        PersonFactory(created_by=user, last_name=f"Nom{n:02d}")
        for n in range(PERSONS_PAGE_SIZE + 2)
    ]
    old = ReferralFactory(person=persons[0], declined=True)
    old.sent_at = timezone.now() - timedelta(days=10)
    old.save()
    last = ReferralFactory(person=persons[0], accepted=True)
    client.force_login(user)

    first = client.get(reverse("person_list"))
    page = first.content.decode()
    assert len(first.context["persons"]) == PERSONS_PAGE_SIZE
    assert 'href="?page=2"' in page
    assert f'{last.code}</a> : <span class="state state-accepted">Acceptée' in page
    assert old.code not in page
    assert "Aucune" in page  # the persons never referred
    second = client.get(reverse("person_list"), {"page": 2})
    assert names(second) == ["Nom25 Josette", "Nom26 Josette"]


def test_opening_the_list_writes_no_row_to_the_access_log_opening_a_person_writes_one(client):
    user = UserFactory()
    persons = PersonFactory.create_batch(5, created_by=user)
    client.force_login(user)
    assert client.get(reverse("person_list")).status_code == 200
    search(client, name="josette")
    assert not PersonAccess.objects.exists()

    client.get(reverse("person_detail", args=[persons[2].pk]))
    assert list(PersonAccess.objects.values_list("person", "where")) == [
        (persons[2].pk, f"/personnes/{persons[2].pk}/")
    ]


REGISTRATION = {
    "first_name": "Helene",
    "last_name": "LACOSTE benac",
    "birth_year": "1951",
    "commune": "46128",
    "phone": "05 65 00 00 00",
    "email": "",
    "preferred_channel": "phone",
    "share_identity": "on",
    "share_assessment": "on",
    "consent_method": "oral",
}


def test_a_probable_duplicate_is_shown_before_registering_and_confirmed_by_a_checkbox(client):
    user = UserFactory()
    existing = PersonFactory(created_by=user, first_name="Hélène", last_name="Lacoste-Bénac")
    PersonFactory(first_name="Hélène", last_name="Lacoste-Bénac")  # another structure's
    client.force_login(user)

    response = client.post(reverse("person_create"), REGISTRATION)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cette personne est peut-être déjà enregistrée" in page
    assert reverse("person_detail", args=[existing.pk]) in page
    assert response.context["duplicates"] == [existing]
    assert "Il s&#x27;agit d&#x27;une autre personne" in page
    assert 'value="LACOSTE benac"' in page and 'value="05 65 00 00 00"' in page
    assert Person.objects.filter(created_by=user).count() == 1

    response = client.post(reverse("person_create"), {**REGISTRATION, "not_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(created_by=user).count() == 2


def test_no_warning_for_another_birth_year_or_another_structure(client):
    user = UserFactory()
    PersonFactory(created_by=user, first_name="Hélène", last_name="Lacoste-Bénac", birth_year=1952)
    PersonFactory(first_name="Hélène", last_name="Lacoste-Bénac", birth_year=1951)
    client.force_login(user)
    assert client.post(reverse("person_create"), REGISTRATION).status_code == 302


def log_rows(response):
    return [(a.person_id, a.user_id) for a in response.context["page"].object_list]


def test_the_coordinator_filters_the_access_log_by_person_user_and_period(client):
    coordinator = UserFactory(coordinator=True)
    first, second = UserFactory(), UserFactory()
    alice, bob = PersonFactory(created_by=first), PersonFactory(created_by=second)
    now = timezone.now()
    PersonAccess.objects.create(user=first, person=alice, where="/a/", at=now - timedelta(days=40))
    PersonAccess.objects.create(user=first, person=alice, where="/b/", at=now)
    PersonAccess.objects.create(user=second, person=bob, where="/c/", at=now)
    client.force_login(coordinator)
    url = reverse("person_access_log")

    assert len(log_rows(client.get(url))) == 3
    assert log_rows(client.get(url, {"person": alice.pk})) == [(alice.pk, first.pk)] * 2
    assert log_rows(client.get(url, {"user": second.pk})) == [(bob.pk, second.pk)]
    since = (now - timedelta(days=7)).date().isoformat()
    assert sorted(log_rows(client.get(url, {"start": since}))) == sorted(
        [(alice.pk, first.pk), (bob.pk, second.pk)]
    )
    until = (now - timedelta(days=39)).date().isoformat()
    assert log_rows(client.get(url, {"end": until, "person": alice.pk})) == [(alice.pk, first.pk)]
    response = client.get(url, {"start": since, "end": until})
    assert response.context["form"].errors["end"] == ["La fin de la période doit suivre son début."]
    response = client.get(url, {"person": "abc"})
    assert "Indiquez le numéro de la personne" in response.content.decode()


def test_the_access_log_is_paged_and_keeps_its_filters_across_pages(client):
    coordinator = UserFactory(coordinator=True)
    person = PersonFactory()
    PersonAccess.objects.bulk_create(
        PersonAccess(user=person.created_by, person=person, where=f"/{n}/")
        for n in range(ACCESS_LOG_PAGE_SIZE + 3)
    )
    client.force_login(coordinator)
    response = client.get(reverse("person_access_log"), {"person": person.pk})
    assert len(log_rows(response)) == ACCESS_LOG_PAGE_SIZE
    assert f"?person={person.pk}&amp;page=2" in response.content.decode()
    response = client.get(reverse("person_access_log"), {"person": person.pk, "page": 2})
    assert len(log_rows(response)) == 3
