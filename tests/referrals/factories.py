import factory

from directory.enums import Service
from directory.models import Permanence
from people.models import Consent
from referrals import services
from referrals.models import CancelReason, DeclineReason, Outcome, Referral, ReferralState
from tests.assessments.factories import AssessmentFactory
from tests.directory.factories import AdvisorFactory
from tests.people.factories import PersonFactory

S = ReferralState

# The transitions (services) that lead from `sent` to each state.
PATHS = {
    S.SENT: [],
    S.ACCEPTED: ["accept"],
    S.IN_PROGRESS: ["accept", "start"],
    S.COMPLETED: ["accept", "start", "complete"],
    S.FAILED: ["accept", "start", "fail"],
    S.DECLINED: ["decline"],
    S.CANCELLED: ["cancel"],
    S.EXPIRED: ["expire"],
}

# Given when the referral is built, kept through the services: they would write "now" or
# nothing there, a test that sets them means them.
KEPT = ("answered_at", "first_meeting_at", "closed_at", "appointment_at", "appointment_place")


def _advisor_user(referral):
    return referral.advisor.user


def _accept(referral):
    return services.referral_accept(user=_advisor_user(referral), referral=referral)


def _start(referral):
    return services.referral_start(user=_advisor_user(referral), referral=referral)


def _complete(referral, outcome):
    if outcome not in services.OUTCOMES["complete"]:
        outcome = Outcome.SATISFIED
    return services.referral_complete(
        user=_advisor_user(referral), referral=referral, outcome=outcome
    )


def _fail(referral, outcome):
    if outcome not in services.OUTCOMES["fail"]:
        outcome = Outcome.UNREACHABLE
    return services.referral_fail(user=_advisor_user(referral), referral=referral, outcome=outcome)


def _decline(referral, reason, detail):
    return services.referral_decline(
        user=_advisor_user(referral),
        referral=referral,
        reason=reason or DeclineReason.NO_CAPACITY,
        detail=detail,
    )


def _cancel(referral, reason, detail):
    return services.referral_cancel(
        user=referral.referrer,
        referral=referral,
        reason=reason or CancelReason.NEED_RESOLVED,
        detail=detail,
    )


def lifecycle_apply(referral, state):
    """Moves a `sent` referral to `state` through the services, as the pages would: each
    transition writes its event, its timestamps and its notifications. The timestamps and
    appointment the referral was built with are written back afterwards."""
    kept = {name: getattr(referral, name) for name in KEPT if getattr(referral, name)}
    outcome, reasons = (
        referral.outcome,
        {
            "decline": (referral.decline_reason, referral.decline_detail),
            "cancel": (referral.cancel_reason, referral.cancel_detail),
        },
    )
    # Built without them: the services refuse a past appointment, and write the rest.
    Referral.objects.filter(pk=referral.pk).update(
        **dict.fromkeys(KEPT, None),
        outcome="",
        decline_reason="",
        decline_detail="",
        cancel_reason="",
        cancel_detail="",
    )
    referral.refresh_from_db()
    steps = {
        "accept": lambda: _accept(referral),
        "start": lambda: _start(referral),
        "complete": lambda: _complete(referral, outcome),
        "fail": lambda: _fail(referral, outcome),
        "decline": lambda: _decline(referral, *reasons["decline"]),
        "cancel": lambda: _cancel(referral, *reasons["cancel"]),
        "expire": lambda: services.referral_expire(referral=referral),
    }
    for name in PATHS[state]:
        steps[name]()
    if kept:
        Referral.objects.filter(pk=referral.pk).update(**kept)
    referral.refresh_from_db()
    return referral


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral `sent`; the traits `accepted`, `in_progress`, `completed`, `failed`,
    `declined`, `cancelled` and `expired` take it there through the services
    (`lifecycle_apply`)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"LOT-T{n:03d}")
    person = factory.SubFactory(PersonFactory)
    referrer = factory.SelfAttribute("person.created_by")
    referring_structure = factory.SelfAttribute("person.structure")
    advisor = factory.SubFactory(AdvisorFactory)
    needs = factory.LazyFunction(lambda: [Service.ADMIN_PROCEDURES.value])
    state = ReferralState.SENT

    class Params:
        accepted = factory.Trait(lifecycle__state=S.ACCEPTED)
        in_progress = factory.Trait(lifecycle__state=S.IN_PROGRESS)
        completed = factory.Trait(lifecycle__state=S.COMPLETED)
        failed = factory.Trait(lifecycle__state=S.FAILED)
        declined = factory.Trait(lifecycle__state=S.DECLINED)
        cancelled = factory.Trait(lifecycle__state=S.CANCELLED)
        expired = factory.Trait(lifecycle__state=S.EXPIRED)

    @factory.post_generation
    def lifecycle(self, create, extracted, state=None, **kwargs):
        # A trait sets `state`; `ReferralFactory(lifecycle=ReferralState.…)` names it too.
        state = extracted or state
        if create and state:
            lifecycle_apply(self, state)


def consented_referral(*, share_assessment=True, profile=None, weekdays=(1,), **kwargs):
    """A referral whose person signed a consent and, when `profile` is given, has an
    assessment; its advisor holds a morning permanence on each of `weekdays`: what a slip
    prints."""
    from datetime import time

    person = PersonFactory(consent=False)
    Consent.objects.create(
        person=person,
        share_identity=True,
        share_assessment=share_assessment,
        method=Consent.Method.SIGNED,
        recorded_by=person.created_by,
    )
    if profile is not None:
        kwargs["assessment"] = AssessmentFactory(person=person, profile=profile)
    referral = ReferralFactory(person=person, **kwargs)
    place = referral.advisor.places.get()
    for weekday in weekdays:
        Permanence.objects.create(
            advisor=referral.advisor, place=place, weekday=weekday, start=time(9), end=time(12)
        )
    return referral
