"""The demo's referral histories, checked against the lifecycle's one transition table.

The demo writes its past referrals directly (no notification may leave), but not with a
lifecycle of its own: every history it writes goes through `timeline_check` first, which reads
`referrals.transitions.TRANSITIONS` as the services do, so that an impossible history (a
referral started before it was accepted, cancelled by its advisor, declined after it expired)
fails the loading loudly instead of reaching the pages and the statistics.
"""

import copy

from referrals.models import EventKind, ReferralState
from referrals.transitions import TRANSITIONS, actors_of


class ImpossibleTimeline(ValueError):
    """A demo referral's history that the services could not have written."""


def timeline_check(referral, events):
    """Raises ImpossibleTimeline unless `events`, a referral's history as the demo writes it
    (`(actor, at, from_state, to_state, reason[, kind])`, oldest first), could have been
    written by the services: it starts with the sending; each change of state is a
    transition of `TRANSITIONS` from the state reached, by one of its actors; the other
    events (reminders, escalations) leave the state as it is; no event goes back in time;
    and it ends in the referral's state."""

    def fail(why):
        raise ImpossibleTimeline(f"{referral.code}: {why}")

    if not events:
        fail("no event")
    _actor, at, from_state, to_state, *_rest = events[0]
    if from_state or to_state != ReferralState.SENT:
        fail(f"starts with {from_state or '-'} -> {to_state}, not with its sending")
    state, previous_at = to_state, at
    for actor, at, from_state, to_state, _reason, *kind in events[1:]:
        kind = kind[0] if kind else EventKind.TRANSITION
        if at < previous_at:
            fail(f"{kind} {from_state} -> {to_state} dated before the event it follows")
        if from_state != state:
            fail(f"{kind} from {from_state} while the referral is {state}")
        if kind == EventKind.TRANSITION:
            transition = _transition(state, to_state)
            if transition is None:
                fail(f"no transition from {state} to {to_state}")
            then = copy.copy(referral)
            then.state = state  # the parts an actor plays, as they were at the time
            if not actors_of(actor, then) & transition.actors:
                fail(f"{transition.name} by {actor}, who may not {transition.name} it")
        elif to_state != state:
            fail(f"{kind} changes the state from {state} to {to_state}")
        state, previous_at = to_state, at
    if state != referral.state:
        fail(f"history ends {state}, the referral is {referral.state}")


def _transition(from_state, to_state):
    return next(
        (
            transition
            for transition in TRANSITIONS.values()
            if transition.to_state == to_state and from_state in transition.from_states
        ),
        None,
    )
