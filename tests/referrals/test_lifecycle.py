"""Every row of the state table through the services: actor, from-states, event, notification."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from pasip.errors import ApplicationError, Conflict, NotAllowed
from referrals import services, transitions
from referrals.models import (
    CancelReason,
    DeclineReason,
    EventKind,
    Outcome,
    ReferralEvent,
    ReferralState,
)
from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralState


def test_the_transition_table_is_the_product_brief_table():
    table = {
        name: (t.to_state, set(t.from_states), set(t.actors))
        for name, t in transitions.TRANSITIONS.items()
    }
    A = transitions.Actor
    assert table == {
        "accept": (S.ACCEPTED, {S.SENT}, {A.ADVISOR}),
        "decline": (S.DECLINED, {S.SENT}, {A.ADVISOR}),
        "start": (S.IN_PROGRESS, {S.ACCEPTED}, {A.ADVISOR}),
        "complete": (S.COMPLETED, {S.ACCEPTED, S.IN_PROGRESS}, {A.ADVISOR}),
        "fail": (S.FAILED, {S.ACCEPTED, S.IN_PROGRESS}, {A.ADVISOR}),
        "expire": (S.EXPIRED, {S.SENT}, {A.SYSTEM}),
        "cancel": (S.CANCELLED, {S.SENT, S.ACCEPTED, S.IN_PROGRESS}, {A.REFERRER, A.COORDINATOR}),
    }


def test_accept_with_appointment_then_first_meeting_then_complete_writes_each_event():
    referral = ReferralFactory()
    advisor = referral.advisor.user
    place = referral.advisor.places.get()
    services.referral_accept(
        user=advisor,
        referral=referral,
        appointment_at=timezone.now() + timedelta(days=3),  # a date to come
        appointment_place=place,
    )
    assert referral.appointment_place == place and referral.answered_at
    # Today, before the appointment's day: said so explicitly.
    services.referral_start(user=advisor, referral=referral, earlier_than_planned=True)
    assert referral.first_meeting_at is not None
    services.referral_complete(user=advisor, referral=referral, outcome=Outcome.PARTIALLY)
    assert (referral.state, referral.outcome) == (S.COMPLETED, Outcome.PARTIALLY)
    assert referral.closed_at is not None
    assert list(referral.events.values_list("from_state", "to_state", "actor")) == [
        (S.SENT, S.ACCEPTED, advisor.pk),
        (S.ACCEPTED, S.IN_PROGRESS, advisor.pk),
        (S.IN_PROGRESS, S.COMPLETED, advisor.pk),
    ]
    assert referral.events.last().reason == "Besoin partiellement satisfait"
    # The referrer hears of each change; the advisor, who made them, does not.
    recipients = set(
        Notification.objects.filter(referral=referral).values_list("recipient", flat=True)
    )
    assert recipients == {referral.referrer.pk}


def test_an_appointment_place_must_be_one_of_the_advisors_places():
    referral = ReferralFactory()
    other_place = AdvisorFactory().places.get()
    with pytest.raises(ApplicationError):
        services.referral_accept(
            user=referral.advisor.user, referral=referral, appointment_place=other_place
        )
    assert referral.state == S.SENT


@pytest.mark.parametrize("outcome", [Outcome.UNREACHABLE, Outcome.NO_SHOW])
def test_failed_takes_only_the_failure_outcomes(outcome):
    referral = ReferralFactory(state=S.ACCEPTED)
    with pytest.raises(ApplicationError):
        services.referral_fail(
            user=referral.advisor.user, referral=referral, outcome=Outcome.SATISFIED
        )
    services.referral_fail(user=referral.advisor.user, referral=referral, outcome=outcome)
    assert (referral.state, referral.outcome) == (S.FAILED, outcome)


def test_completed_refuses_a_failure_outcome():
    referral = ReferralFactory(state=S.IN_PROGRESS)
    with pytest.raises(ApplicationError):
        services.referral_complete(
            user=referral.advisor.user, referral=referral, outcome=Outcome.NO_SHOW
        )


@pytest.mark.parametrize(
    "service, choices",
    [(services.referral_decline, DeclineReason), (services.referral_cancel, CancelReason)],
)
def test_other_reason_needs_a_text(service, choices):
    referral = ReferralFactory()
    user = referral.advisor.user if choices is DeclineReason else referral.referrer
    with pytest.raises(ApplicationError) as error:
        service(user=user, referral=referral, reason=choices.OTHER, detail="  ")
    assert error.value.code == "detail_required"
    service(user=user, referral=referral, reason=choices.OTHER, detail="Déménagement prévu")
    assert referral.state in (S.DECLINED, S.CANCELLED)
    assert referral.events.last().reason == "Autre"


@pytest.mark.parametrize("state", [S.SENT, S.ACCEPTED, S.IN_PROGRESS])
def test_the_referrer_and_a_coordinator_cancel_an_open_referral(state):
    referral = ReferralFactory(state=state)
    services.referral_cancel(
        user=referral.referrer, referral=referral, reason=CancelReason.NEED_RESOLVED
    )
    assert referral.state == S.CANCELLED
    event = referral.events.get()
    assert (event.from_state, event.to_state, event.reason) == (
        state,
        S.CANCELLED,
        "Besoin résolu autrement",
    )
    referral = ReferralFactory(state=state)
    services.referral_cancel(
        user=UserFactory(coordinator=True, structure=None),
        referral=referral,
        reason=CancelReason.MISTAKE,
    )
    assert referral.state == S.CANCELLED


@pytest.mark.parametrize("state", [S.DECLINED, S.COMPLETED, S.FAILED, S.EXPIRED, S.CANCELLED])
def test_a_closed_referral_cannot_be_cancelled(state):
    referral = ReferralFactory(state=state)
    with pytest.raises(Conflict):
        services.referral_cancel(
            user=referral.referrer, referral=referral, reason=CancelReason.MISTAKE
        )
    assert not ReferralEvent.objects.exists()


def test_wrong_actor_is_refused_before_the_state_is_looked_at():
    referral = ReferralFactory(state=S.COMPLETED)
    with pytest.raises(NotAllowed):
        services.referral_accept(user=referral.referrer, referral=referral)
    with pytest.raises(NotAllowed):
        services.referral_cancel(
            user=referral.advisor.user, referral=referral, reason=CancelReason.MISTAKE
        )


def test_a_stale_copy_loses_with_a_conflict_and_no_event():
    referral = ReferralFactory()
    stale = type(referral).objects.get(pk=referral.pk)
    services.referral_cancel(user=referral.referrer, referral=referral, reason="mistake")
    with pytest.raises(Conflict) as error:
        services.referral_accept(user=stale.advisor.user, referral=stale)
    assert "annulée" in error.value.message
    assert error.value.status == 409
    assert referral.events.count() == 1


def test_messages_go_to_the_other_side_and_join_the_timeline():
    from referrals.selectors import timeline

    referral = ReferralFactory()
    services.referral_accept(user=referral.advisor.user, referral=referral)
    services.referral_message_post(
        user=referral.referrer, referral=referral, body="Elle préfère le matin."
    )
    services.referral_message_post(user=referral.advisor.user, referral=referral, body="Noté.")
    with pytest.raises(NotAllowed):
        services.referral_message_post(user=UserFactory(), referral=referral, body="Bonjour")
    with pytest.raises(ApplicationError):
        services.referral_message_post(user=referral.referrer, referral=referral, body=" ")
    kinds = [kind for kind, _item in timeline(referral)]
    assert kinds == ["event", "message", "message"]
    assert Notification.objects.filter(kind="referral_message").count() == 2


def test_reroute_links_the_new_referral_reuses_the_needs_and_drops_the_advisor_who_declined():
    declining = AdvisorFactory(place_commune="46128")
    other = AdvisorFactory(place_commune="46042")
    referral = ReferralFactory(advisor=declining)
    services.referral_decline(
        user=declining.user, referral=referral, reason=DeclineReason.NO_CAPACITY
    )

    suggested = [s.advisor for s in services.reroute_suggestions(referral)]
    assert declining not in suggested and other in suggested
    with pytest.raises(ApplicationError):
        services.referral_reroute(user=referral.referrer, referral=referral, advisor=declining)

    new = services.referral_reroute(user=referral.referrer, referral=referral, advisor=other)
    assert (new.previous, new.needs, new.person, new.state) == (
        referral,
        referral.needs,
        referral.person,
        S.SENT,
    )
    assert new.code != referral.code
    assert referral.events.filter(kind=EventKind.REROUTED, reason=new.code).exists()
    with pytest.raises(Conflict):
        services.referral_reroute(user=referral.referrer, referral=referral, advisor=other)


def test_only_declined_expired_or_cancelled_can_be_rerouted_and_only_by_the_referrer():
    referral = ReferralFactory(state=S.ACCEPTED)
    with pytest.raises(Conflict):
        services.referral_reroute(
            user=referral.referrer, referral=referral, advisor=AdvisorFactory()
        )
    referral = ReferralFactory(state=S.EXPIRED)
    with pytest.raises(NotAllowed):
        services.referral_reroute(
            user=referral.advisor.user, referral=referral, advisor=AdvisorFactory()
        )


def test_a_shared_inbox_lets_any_advisor_of_the_structure_answer_and_the_one_who_accepts_keeps_it():
    addressee = AdvisorFactory()
    colleague = AdvisorFactory(user__structure=addressee.structure, structure=addressee.structure)
    outsider = AdvisorFactory()
    referral = ReferralFactory(advisor=addressee, shared=True)
    visible = type(referral).objects.visible_to
    assert referral in visible(colleague.user) and referral not in visible(outsider.user)
    with pytest.raises(NotAllowed):
        services.referral_accept(user=outsider.user, referral=referral)
    services.referral_accept(user=colleague.user, referral=referral)
    assert referral.advisor == colleague
    # Once accepted, only the advisor who took it follows it up.
    with pytest.raises(NotAllowed):
        services.referral_start(user=addressee.user, referral=referral)
    services.referral_start(user=colleague.user, referral=referral)
