"""Who may do what on a referral: each rule once, with its one refusal message.

The parts a user plays on a referral (`actors_of`), then the rules built on them: writing a
message, re-routing. The transition table (`transitions`), the services, the pages, the API
and the coordinator's board ask these functions; none restates the rule.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pasip.errors import NotAllowed
from people.policies import person_can_register

from .models import REROUTABLE_STATES, Referral
from .models import ReferralState as S


class Actor:
    REFERRER = "referrer"  # a social worker of the referring structure
    ADVISOR = "advisor"  # the advisor the referral is addressed to
    COORDINATOR = "coordinator"  # a coordinator of the département
    SYSTEM = "system"  # the deadline job


def actors_of(user, referral):
    """The parts `user` plays on `referral` (none when the user has nothing to do with it)."""
    if user is None:
        return {Actor.SYSTEM}
    actors = set()
    if person_can_register(user) and user.structure_id == referral.referring_structure_id:
        actors.add(Actor.REFERRER)  # a social worker of the structure that referred the person
    if user.is_advisor and (
        referral.advisor.user_id == user.pk or _in_shared_inbox(user, referral)
    ):
        actors.add(Actor.ADVISOR)
    if user.is_coordinator:
        actors.add(Actor.COORDINATOR)
    return actors


def _in_shared_inbox(user, referral):
    """A referral waiting in a structure's shared inbox: any advisor of it may answer."""
    return referral.state == S.SENT and colleague_of_advisor(user, referral)


def colleague_of_advisor(user, referral):
    """`user` is an advisor of the structure whose shared inbox `referral` was sent to."""
    profile = getattr(user, "advisor_profile", None) if user is not None else None
    return (
        referral.shared
        and profile is not None
        and profile.structure_id == referral.advisor.structure_id
    )


MESSAGE_REFUSED = _("Seuls l'orienteur et le conseiller peuvent échanger ici.")


def referral_can_write_message(user, referral) -> bool:
    """The two sides write to each other on a referral: the referrer and the advisor."""
    return bool(actors_of(user, referral) & {Actor.REFERRER, Actor.ADVISOR})


def referral_message_check(user, referral):
    if not referral_can_write_message(user, referral):
        raise NotAllowed(MESSAGE_REFUSED)


REROUTE_REFUSED = _(
    "Seuls la structure qui a orienté et le coordinateur du département peuvent réorienter."
)


def referral_may_reroute(user, referral) -> bool:
    """Who re-routes: the referring structure, or the coordinator of the person's département
    (from the board). Whether the referral waits for it is `referral_can_reroute`."""
    if Actor.REFERRER in actors_of(user, referral):
        return True
    return (
        user.is_coordinator and Referral.objects.on_board_of(user).filter(pk=referral.pk).exists()
    )


def referral_reroute_check(user, referral):
    """Raises unless `user` may re-route `referral` (before anything else is looked at)."""
    if not referral_may_reroute(user, referral):
        raise NotAllowed(REROUTE_REFUSED)


def referral_awaits_reroute(referral) -> bool:
    """Declined, expired or cancelled, and not re-routed yet."""
    return referral.state in REROUTABLE_STATES and not referral.reroutes.exists()


def awaiting_reroute_on_board():
    """The referrals the coordinator's board lists as waiting for a re-route, as a filter:
    those `referral_awaits_reroute` says, but neither cancelled because the person withdrew
    their consent or asked for erasure, nor of an erased person."""
    return (
        Q(state__in=REROUTABLE_STATES)
        & ~Q(cancel_reason__in=["consent_withdrawn", "erasure"])
        & ~Q(Exists(Referral.objects.filter(previous=OuterRef("pk"))))
        & Q(person__erased_at__isnull=True)
    )


def referral_can_reroute(user, referral) -> bool:
    """`user` may re-route `referral` now: the button a page shows."""
    return referral_awaits_reroute(referral) and referral_may_reroute(user, referral)


APPOINTMENT_REFUSED = _("Seul le conseiller de l'orientation peut changer son rendez-vous.")


def referral_can_set_appointment(user, referral) -> bool:
    """The referral's advisor sets its appointment (whether it may change now is the state's)."""
    return Actor.ADVISOR in actors_of(user, referral)


def referral_appointment_check(user, referral):
    if not referral_can_set_appointment(user, referral):
        raise NotAllowed(APPOINTMENT_REFUSED)
