"""The rules on a person's file, each allowed and refused."""

import pytest

from assessments.models import Assessment
from pasip.errors import NotAllowed
from people import policies
from people.models import Person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_social_worker_of_a_structure_registers_persons():
    assert policies.person_can_register(UserFactory())
    policies.person_register_check(UserFactory())


@pytest.mark.parametrize(
    "user", [lambda: UserFactory(structure=None), lambda: UserFactory(advisor=True)]
)
def test_no_one_else_registers_persons(user):
    user = user()
    assert not policies.person_can_register(user)
    with pytest.raises(NotAllowed) as refused:
        policies.person_register_check(user)
    assert refused.value.message == str(policies.REGISTER_REFUSED)


def test_a_social_worker_of_the_persons_structure_follows_the_person():
    person = PersonFactory()
    colleague = UserFactory(structure=person.structure)
    assert policies.person_followed_by(colleague, person)
    policies.person_followed_check(colleague, person)
    assert list(Person.objects.visible_to(colleague)) == [person]


@pytest.mark.parametrize(
    "stranger",
    [
        lambda person: UserFactory(),  # a social worker of another structure
        lambda person: UserFactory(advisor=True, structure=person.structure),
        lambda person: UserFactory(coordinator=True, structure=person.structure),
        lambda person: UserFactory(structure=None),
    ],
)
def test_no_one_else_follows_the_person(stranger):
    person = PersonFactory()
    Assessment.objects.create(person=person, created_by=person.created_by)
    user = stranger(person)
    assert not policies.person_followed_by(user, person)
    with pytest.raises(NotAllowed) as refused:
        policies.person_followed_check(user, person)
    assert refused.value.message == str(policies.NOT_FOLLOWED)
    assert not Person.objects.visible_to(user).exists()
    assert not Assessment.objects.visible_to(user).exists()


def test_a_structure_without_persons_follows_no_one_even_with_a_null_structure():
    person = PersonFactory()
    assert policies.persons_followed_filter(UserFactory(structure=None)) is None
    assert Assessment.objects.visible_to(person.created_by).count() == 0
    Assessment.objects.create(person=person, created_by=person.created_by)
    assert Assessment.objects.visible_to(person.created_by).count() == 1
