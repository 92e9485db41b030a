"""Who may change which directory entry, each rule allowed and refused."""

import pytest

from directory import policies
from directory.models import Advisor, Place
from pasip.errors import NotAllowed
from tests.factories import AdvisorFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers():
    return [UserFactory(coordinator=True), UserFactory(role="administrator")]


def test_managers_manage_the_directory(managers):
    for user in managers:
        assert policies.can_manage_directory(user)
        policies.directory_manage_check(user)


def test_no_one_else_manages_the_directory():
    for user in (UserFactory(), UserFactory(advisor=True), UserFactory(officer=True)):
        assert not policies.can_manage_directory(user)
        with pytest.raises(NotAllowed) as refused:
            policies.directory_manage_check(user)
        assert refused.value.message == str(policies.MANAGE_REFUSED)


def test_an_advisor_edits_their_own_entry_and_managers_every_entry(managers):
    advisor, other = AdvisorFactory(), AdvisorFactory()
    assert policies.can_edit_advisor(advisor.user, advisor)
    policies.advisor_edit_check(advisor.user, advisor)
    assert list(policies.editable_advisors(advisor.user, Advisor.objects.all())) == [advisor]
    for user in managers:
        assert policies.can_edit_advisor(user, other)
        assert policies.editable_advisors(user, Advisor.objects.all()).count() == 2


def test_no_one_else_edits_an_advisors_entry():
    advisor = AdvisorFactory()
    colleague = AdvisorFactory(structure=advisor.structure).user
    for user in (colleague, UserFactory()):
        assert not policies.can_edit_advisor(user, advisor)
        with pytest.raises(NotAllowed) as refused:
            policies.advisor_edit_check(user, advisor)
        assert refused.value.message == str(policies.ADVISOR_REFUSED)
    assert list(policies.editable_advisors(colleague, Advisor.objects.filter(pk=advisor.pk))) == []


def test_an_advisor_edits_the_places_of_their_structure(managers):
    advisor = AdvisorFactory()
    own, other = PlaceFactory(structure=advisor.structure), PlaceFactory()
    assert policies.can_edit_place(advisor.user, own)
    policies.place_edit_check(advisor.user, own)
    assert list(
        policies.editable_places(advisor.user, Place.objects.filter(pk__in=[own.pk, other.pk]))
    ) == [own]
    for user in managers:
        assert policies.can_edit_place(user, other)


def test_no_one_else_edits_a_place():
    place = PlaceFactory()
    for user in (AdvisorFactory().user, UserFactory(structure=place.structure)):
        assert not policies.can_edit_place(user, place)
        with pytest.raises(NotAllowed) as refused:
            policies.place_edit_check(user, place)
        assert refused.value.message == str(policies.PLACE_REFUSED)


def test_an_advisor_attaches_only_places_of_their_structure(managers):
    advisor = AdvisorFactory()
    own, other = PlaceFactory(structure=advisor.structure), PlaceFactory()
    policies.advisor_places_check(advisor.user, advisor, [own])
    with pytest.raises(NotAllowed) as refused:
        policies.advisor_places_check(advisor.user, advisor, [own, other])
    assert refused.value.message == str(policies.PLACES_OUTSIDE_REFUSED)
    for user in managers:
        policies.advisor_places_check(user, advisor, [own, other])
