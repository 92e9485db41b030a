"""The referral lifecycle as an explicit transition table: who may move a referral, from where.

Why a table rather than a state-machine library (django-fsm, viewflow): eight states and seven
transitions, each with one rule (the actor and the states it starts from). A table that reads
like the product brief's §7 is easier to review than decorators spread over a model, costs no
dependency, and one function (`check`) reads it for the services, the pages (which buttons
show) and the API (which actions answer) alike. The write itself is a conditional update in
`services._transition`, so that of two decisions taken at once exactly one wins.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pasip.errors import Conflict, NotAllowed

from .models import ReferralState as S
from .policies import Actor, actors_of, colleague_of_advisor

__all__ = ["Actor", "TRANSITIONS", "actors_of", "allowed", "check", "check_actor"]


@dataclass(frozen=True)
class Transition:
    name: str
    to_state: str
    from_states: tuple
    actors: frozenset
    label: str


def _row(name, to_state, from_states, actors, label):
    return name, Transition(name, to_state, tuple(from_states), frozenset(actors), label)


TRANSITIONS = dict(
    [
        _row("accept", S.ACCEPTED, [S.SENT], [Actor.ADVISOR], gettext_lazy("Accepter")),
        _row("decline", S.DECLINED, [S.SENT], [Actor.ADVISOR], gettext_lazy("Refuser")),
        _row(
            "start",
            S.IN_PROGRESS,
            [S.ACCEPTED],
            [Actor.ADVISOR],
            gettext_lazy("Premier rendez-vous effectué"),
        ),
        _row(
            "complete",
            S.COMPLETED,
            [S.ACCEPTED, S.IN_PROGRESS],
            [Actor.ADVISOR],
            gettext_lazy("Terminer"),
        ),
        _row(
            "fail",
            S.FAILED,
            [S.ACCEPTED, S.IN_PROGRESS],
            [Actor.ADVISOR],
            gettext_lazy("Déclarer non aboutie"),
        ),
        _row("expire", S.EXPIRED, [S.SENT], [Actor.SYSTEM], gettext_lazy("Expirer")),
        _row(
            "cancel",
            S.CANCELLED,
            [S.SENT, S.ACCEPTED, S.IN_PROGRESS],
            [Actor.REFERRER, Actor.COORDINATOR],
            gettext_lazy("Annuler"),
        ),
    ]
)


def check(*, user, referral, name):
    """The transition `name` if `user` may apply it to `referral` now; raises otherwise."""
    transition = check_actor(user=user, referral=referral, name=name)
    if referral.state not in transition.from_states:
        raise Conflict(_state_message(referral, transition))
    return transition


def check_actor(*, user, referral, name):
    """The transition `name` if `user` plays one of its actors on `referral`; raises otherwise."""
    transition = TRANSITIONS[name]
    if referral.state not in transition.from_states and colleague_of_advisor(user, referral):
        # A shared inbox answered a moment ago by a colleague: say what happened (409), not
        # that the action is forbidden.
        raise Conflict(_state_message(referral, transition))
    if not actors_of(user, referral) & transition.actors:
        raise NotAllowed(_("Cette action sur l'orientation n'est pas accessible à votre rôle."))
    return transition


def allowed(*, user, referral):
    """Names of the transitions `user` may apply now: the buttons a page shows."""
    actors = actors_of(user, referral)
    return {
        name
        for name, transition in TRANSITIONS.items()
        if actors & transition.actors and referral.state in transition.from_states
    }


def _state_message(referral, transition):
    state = referral.get_state_display().lower()
    if transition.from_states == (S.SENT,):
        return _("Cette orientation a déjà reçu une réponse (état : %(state)s).") % {"state": state}
    return _("Action impossible : l'orientation est « %(state)s ».") % {"state": state}
