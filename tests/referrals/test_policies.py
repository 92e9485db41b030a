"""The rules on a referral, each allowed and refused."""

import pytest

from pasip.errors import NotAllowed
from referrals import policies
from referrals.models import ReferralState
from tests.factories import AdvisorFactory, ReferralFactory, StructureFactory, UserFactory
from tests.territory.factories import rodez

pytestmark = pytest.mark.django_db
A = policies.Actor


def other_department_structure():
    return StructureFactory(commune=rodez())


def test_actors_of_each_user():
    referral = ReferralFactory(shared=True)
    colleague = AdvisorFactory(structure=referral.advisor.structure).user
    assert policies.actors_of(referral.referrer, referral) == {A.REFERRER}
    assert policies.actors_of(referral.advisor.user, referral) == {A.ADVISOR}
    assert policies.actors_of(colleague, referral) == {A.ADVISOR}  # the shared inbox
    assert policies.actors_of(UserFactory(coordinator=True), referral) == {A.COORDINATOR}
    assert policies.actors_of(UserFactory(), referral) == set()
    assert policies.actors_of(None, referral) == {A.SYSTEM}
    referral.state = ReferralState.ACCEPTED  # answered: the colleague is out
    assert policies.actors_of(colleague, referral) == set()


def test_the_two_sides_write_messages():
    referral = ReferralFactory()
    for user in (referral.referrer, referral.advisor.user):
        assert policies.referral_can_write_message(user, referral)
        policies.referral_message_check(user, referral)


@pytest.mark.parametrize(
    "stranger",
    [
        lambda referral: UserFactory(),
        lambda referral: UserFactory(coordinator=True),
        lambda referral: AdvisorFactory().user,
    ],
)
def test_no_one_else_writes_messages(stranger):
    referral = ReferralFactory()
    user = stranger(referral)
    assert not policies.referral_can_write_message(user, referral)
    with pytest.raises(NotAllowed) as refused:
        policies.referral_message_check(user, referral)
    assert refused.value.message == str(policies.MESSAGE_REFUSED)


def test_the_referring_structure_and_the_departments_coordinator_reroute():
    referral = ReferralFactory(state=ReferralState.DECLINED)
    colleague = UserFactory(structure=referral.referring_structure)
    coordinator = UserFactory(coordinator=True)
    for user in (referral.referrer, colleague, coordinator):
        assert policies.referral_may_reroute(user, referral)
        assert policies.referral_can_reroute(user, referral)
        policies.referral_reroute_check(user, referral)


@pytest.mark.parametrize(
    "stranger",
    [
        lambda referral: UserFactory(),
        lambda referral: referral.advisor.user,
        lambda referral: UserFactory(coordinator=True, structure=other_department_structure()),
    ],
)
def test_no_one_else_reroutes(stranger):
    referral = ReferralFactory(state=ReferralState.DECLINED)
    user = stranger(referral)
    assert not policies.referral_may_reroute(user, referral)
    assert not policies.referral_can_reroute(user, referral)
    with pytest.raises(NotAllowed) as refused:
        policies.referral_reroute_check(user, referral)
    assert refused.value.message == str(policies.REROUTE_REFUSED)


@pytest.mark.parametrize("state", [ReferralState.SENT, ReferralState.ACCEPTED])
def test_an_open_referral_does_not_wait_for_a_reroute(state):
    referral = ReferralFactory(state=state)
    assert policies.referral_may_reroute(referral.referrer, referral)
    assert not policies.referral_can_reroute(referral.referrer, referral)


def test_a_referral_rerouted_once_does_not_wait_for_another():
    referral = ReferralFactory(state=ReferralState.EXPIRED)
    assert policies.referral_awaits_reroute(referral)
    ReferralFactory(person=referral.person, advisor=referral.advisor, previous=referral)
    assert not policies.referral_awaits_reroute(referral)
    assert not policies.referral_can_reroute(referral.referrer, referral)


def test_only_the_referrals_advisor_sets_the_appointment():
    referral = ReferralFactory(state=ReferralState.ACCEPTED)
    assert policies.referral_can_set_appointment(referral.advisor.user, referral)
    policies.referral_appointment_check(referral.advisor.user, referral)
    for user in (referral.referrer, UserFactory(coordinator=True), AdvisorFactory().user):
        assert not policies.referral_can_set_appointment(user, referral)
        with pytest.raises(NotAllowed) as refused:
            policies.referral_appointment_check(user, referral)
        assert refused.value.message == str(policies.APPOINTMENT_REFUSED)
