import re

import pytest

from directory.enums import Service
from matching.engine import advisors_suggest
from notifications.models import Notification
from pasip.errors import ApplicationError, Conflict, NotAllowed
from people.models import Consent
from people.services import consent_record
from referrals import services
from referrals.models import DeclineReason, ReferralEvent, ReferralState
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory, commune

pytestmark = pytest.mark.django_db


def test_suggestions_cover_the_needs_and_come_nearest_first():
    gramat = commune("46128")
    near = AdvisorFactory(place_commune="46128")  # Gramat itself
    far = AdvisorFactory(place_commune="46042")  # Cahors, about 45 km
    # Needs not covered: suggested all the same, after those covering them, and said so.
    lacking = AdvisorFactory(themes=[Service.EMPLOYMENT.value], place_commune="46128")
    AdvisorFactory(is_active=False, place_commune="46128")

    suggestions = advisors_suggest(needs=[Service.ADMIN_PROCEDURES.value], commune=gramat)

    assert [s.advisor for s in suggestions] == [near, far, lacking]
    assert "ne couvre pas : Aide aux démarches administratives" in suggestions[2].explanation
    assert suggestions[0].distance_km < 1 < 30 < suggestions[1].distance_km
    assert "km" in suggestions[1].explanation


def test_sending_records_the_event_the_outbox_row_and_whether_the_advisor_was_suggested(
    django_capture_on_commit_callbacks,
):
    person = PersonFactory()
    advisor = AdvisorFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        referral = services.referral_send(
            user=person.created_by,
            person=person,
            advisor=advisor,
            needs=[Service.ADMIN_PROCEDURES.value],
        )

    assert referral.state == ReferralState.SENT
    assert re.fullmatch(r"LOT-[ACDEFGHJKMNPQRTUVWXY34679]{6}", referral.code)
    assert (referral.was_suggested, referral.suggested_rank) == (True, 1)
    assert list(referral.events.values_list("to_state", flat=True)) == [ReferralState.SENT]
    notification = Notification.objects.get(referral=referral)
    assert notification.recipient == advisor.user
    # The notification's task and the slips' pre-rendering are queued only after commit.
    assert len(callbacks) == 2


def test_a_social_worker_cannot_refer_a_person_of_another_structure():
    person = PersonFactory()
    with pytest.raises(NotAllowed):
        services.referral_send(
            user=UserFactory(), person=person, advisor=AdvisorFactory(), needs=["x"]
        )


def test_no_referral_without_consent():
    person = PersonFactory(consent=False)
    with pytest.raises(ApplicationError, match="consentement"):
        services.referral_send(
            user=person.created_by,
            person=person,
            advisor=AdvisorFactory(),
            needs=[Service.ADMIN_PROCEDURES.value],
        )


def test_only_the_addressed_advisor_may_answer():
    referral = ReferralFactory()
    with pytest.raises(NotAllowed):
        services.referral_accept(user=AdvisorFactory().user, referral=referral)
    with pytest.raises(NotAllowed):
        services.referral_accept(user=referral.referrer, referral=referral)
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT


def test_accepting_notifies_the_referrer_and_a_second_decision_is_a_conflict():
    referral = ReferralFactory()
    advisor_user = referral.advisor.user

    services.referral_accept(user=advisor_user, referral=referral)

    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED and referral.answered_at
    assert Notification.objects.filter(recipient=referral.referrer).count() == 1
    with pytest.raises(Conflict, match="déjà reçu une réponse"):
        services.referral_decline(
            user=advisor_user, referral=referral, reason=DeclineReason.NO_CAPACITY
        )
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED
    assert ReferralEvent.objects.filter(referral=referral).count() == 1


def test_declining_needs_a_coded_reason_and_a_text_for_other():
    referral = ReferralFactory()
    user = referral.advisor.user
    with pytest.raises(ApplicationError, match="Précisez"):
        services.referral_decline(user=user, referral=referral, reason=DeclineReason.OTHER)
    with pytest.raises(ApplicationError, match="motif"):
        services.referral_decline(user=user, referral=referral, reason="n-importe-quoi")

    services.referral_decline(
        user=user, referral=referral, reason=DeclineReason.OTHER, detail="Déménagement prévu"
    )
    referral.refresh_from_db()
    assert (referral.state, referral.decline_reason) == (ReferralState.DECLINED, "other")
    event = referral.events.get()
    assert (event.from_state, event.to_state, event.reason) == ("sent", "declined", "Autre")


def test_events_are_append_only():
    referral = ReferralFactory()
    event = ReferralEvent.objects.create(referral=referral, to_state=ReferralState.SENT)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.parametrize(
    ("action", "published"),
    [
        ("accept", True),
        ("start", True),
        ("decline", False),
        ("cancel", False),
        ("complete", False),
    ],
)
def test_which_changes_ask_a_worker_to_render_the_slips_again(
    action, published, django_capture_on_commit_callbacks, monkeypatch
):
    """Only a change that leaves the referral open: a closed one's slip is seldom printed."""
    referral = ReferralFactory()
    advisor_user = referral.advisor.user
    if action in ("start", "complete"):
        services.referral_accept(user=advisor_user, referral=referral)
    if action == "complete":
        services.referral_start(user=advisor_user, referral=referral)
    asked = []
    monkeypatch.setattr("slips.tasks._publish", asked.append)
    arguments = {
        "accept": {},
        "start": {},
        "decline": {"reason": "no_capacity"},
        "cancel": {"reason": "other", "detail": "Déménagement"},
        "complete": {"outcome": "satisfied"},
    }[action]
    user = referral.referrer if action == "cancel" else advisor_user
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"referral_{action}")(user=user, referral=referral, **arguments)
    assert asked == ([referral.pk] if published else [])


def test_a_new_consent_asks_for_the_slips_of_the_person_s_open_referrals_only(
    django_capture_on_commit_callbacks, monkeypatch
):
    open_referral = ReferralFactory(accepted=True)
    person = open_referral.person
    ReferralFactory(person=person, completed=True)
    ReferralFactory()  # another person's
    asked = []
    monkeypatch.setattr("slips.tasks._publish", asked.append)
    with django_capture_on_commit_callbacks(execute=True):
        consent_record(
            user=open_referral.referrer,
            person=person,
            share_identity=True,
            share_assessment=False,
            method=Consent.Method.SIGNED,
        )
    assert asked == [open_referral.pk]
