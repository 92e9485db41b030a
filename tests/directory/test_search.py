"""The directory, read-only for a social worker: active advisors found by name, structure,
commune or theme, each one a pick for the referral in progress."""

import pytest
from django.urls import reverse

from directory.enums import Service
from directory.models import Advisor
from people.models import PersonAccess
from tests.factories import AdvisorFactory, PersonFactory, StructureFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
URL = reverse("directory_search")


@pytest.fixture
def directory():
    gramat = StructureFactory(name="France Services de Gramat", commune=commune("46128"))
    return {
        "martine": AdvisorFactory(
            user__first_name="Martine",
            user__last_name="Lacombe",
            user__structure=gramat,
            structure=gramat,
            place_commune="46128",
            themes=[Service.ADMIN_PROCEDURES.value],
        ),
        "paul": AdvisorFactory(
            user__first_name="Paul",
            user__last_name="Roques",
            place_commune="46042",
            themes=[Service.EVERYDAY_TOOLS.value],
        ),
        "gone": AdvisorFactory(user__first_name="Albert", user__last_name="Parti", is_active=False),
        "closed": AdvisorFactory(
            user__first_name="Berthe", user__last_name="Close", user__is_active=False
        ),
    }


def names(response):
    return [str(advisor) for advisor in response.context["page"].object_list]


def test_a_social_worker_reads_the_directory_but_cannot_edit_it(client, directory):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Martine Lacombe", "Paul Roques"]  # the active ones only
    page = response.content.decode()
    assert "Choisir" not in page  # no referral in progress: nothing to pick
    assert reverse("directory_advisor", args=[directory["martine"].pk]) not in page
    assert client.get(reverse("directory_home")).status_code == 403
    assert client.get(reverse("directory_advisor", args=[directory["paul"].pk])).status_code in (
        403,
        404,
    )
    post = client.post(reverse("directory_advisor", args=[directory["paul"].pk]), {"capacity": 1})
    assert post.status_code in (403, 404)
    assert Advisor.objects.get(pk=directory["paul"].pk).capacity == 15


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"q": "lacombe"}, ["Martine Lacombe"]),
        ({"q": "Paul"}, ["Paul Roques"]),
        ({"q": "france services"}, ["Martine Lacombe"]),
        ({"commune": "gramat"}, ["Martine Lacombe"]),
        ({"commune": "Cahors"}, ["Paul Roques"]),
        ({"theme": Service.EVERYDAY_TOOLS.value}, ["Paul Roques"]),
        ({"theme": Service.ADMIN_PROCEDURES.value, "commune": "Cahors"}, []),
        ({"q": "Parti"}, []),  # inactive
    ],
)
def test_search_by_name_structure_commune_and_theme(client, directory, query, found):
    client.force_login(UserFactory())
    response = client.get(URL, query)
    assert names(response) == found
    if not found:
        assert "Aucun conseiller actif ne correspond" in response.content.decode()


def test_an_unknown_theme_is_said_in_french(client, directory):
    client.force_login(UserFactory())
    response = client.get(URL, {"theme": "Jardinage"})
    assert "Choisissez une thématique de la liste." in response.content.decode()


def test_from_a_referral_each_advisor_is_a_pick_for_the_person(client, directory):
    person = PersonFactory()
    client.force_login(person.created_by)
    need = Service.ADMIN_PROCEDURES.value
    response = client.get(URL, {"personne": person.pk, "besoins": [need, "pas un besoin"]})
    page = response.content.decode()
    assert response.context["needs"] == [need]
    assert page.count('name="step" value="pick"') == 2
    assert f'action="{reverse("referral_new", args=[person.pk])}"' in page
    assert "Choisir Paul Roques" in page
    assert PersonAccess.objects.filter(person=person, user=person.created_by).exists()


def test_another_structure_s_person_is_a_404(client, directory):
    person = PersonFactory()
    client.force_login(UserFactory())
    assert client.get(URL, {"personne": person.pk}).status_code == 404
    assert client.get(URL, {"personne": "x"}).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_pages_are_paginated(client):
    for n in range(27):
        AdvisorFactory(user__last_name=f"Conseiller{n:02d}")
    client.force_login(UserFactory())
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 25
    assert "Page suivante" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 2
