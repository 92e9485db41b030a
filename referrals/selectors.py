"""Reads about referrals that decide what a user is shown."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pasip.workdays import working_days_between
from people.models import Consent

from .models import Referral, ReferralState
from .policies import Actor, actors_of, awaiting_reroute_on_board


@dataclass(frozen=True)
class Disclosure:
    """What of the person a user may see on a referral, after the person's consent."""

    identity: bool
    assessment: bool


def disclosure(*, user, referral):
    """The referrer sees everything; others only what the active consent covers."""
    person = referral.person
    if person.erased_at:
        return Disclosure(identity=False, assessment=False)
    if Actor.REFERRER in actors_of(user, referral):
        return Disclosure(identity=True, assessment=True)
    loaded = getattr(person, "active_consents", None)  # see `with_consent`
    consent = person.active_consent if loaded is None else next(iter(loaded), None)
    if consent is None:
        return Disclosure(identity=False, assessment=False)
    return Disclosure(identity=consent.share_identity, assessment=consent.share_assessment)


def with_consent(referrals):
    """The referrals with their person's active consent, which `disclosure` reads: one query
    for a whole list instead of one per referral."""
    return referrals.prefetch_related(
        Prefetch(
            "person__consents",
            queryset=Consent.objects.filter(revoked_at__isnull=True).order_by("-recorded_at"),
            to_attr="active_consents",
        )
    )


def with_urgency(referrals):
    """Each referral with `urgent`: its assessment found the person's situation urgent (a
    procedure due soon, rights about to be suspended), which puts it first in a sort."""
    return referrals.annotate(
        urgent=Case(
            When(assessment__profile__urgent=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def timeline(referral):
    """Events and messages of a referral, oldest first, as (kind, item) pairs."""
    items = [("event", event) for event in referral.events.select_related("actor")]
    items += [("message", message) for message in referral.messages.select_related("author")]
    return sorted(items, key=lambda pair: (pair[1].at, pair[0] == "message", pair[1].pk))


class BoardGroup:
    """What a referral on the board waits for, in the order the coordinator acts on it."""

    ESCALATED, STALLED, EXPIRED, DECLINED, CANCELLED, OTHER = range(1, 7)
    LABELS = {
        ESCALATED: _("Signalée, sans réponse"),
        STALLED: _("En attente, relancée"),
        EXPIRED: _("Expirée, à réorienter"),
        DECLINED: _("Refusée, à réorienter"),
        CANCELLED: _("Annulée, à réorienter"),
        OTHER: _("Rien à faire"),
    }
    # The API's names of the groups.
    CODES = {
        ESCALATED: "escalated",
        STALLED: "stalled",
        EXPIRED: "expired",
        DECLINED: "declined",
        CANCELLED: "cancelled",
        OTHER: "other",
    }

    @classmethod
    def openable(cls, group):
        """The coordinator opens only an escalated referral (the person's data then logged)."""
        return group == cls.ESCALATED

    @classmethod
    def reroutable(cls, group):
        return cls.EXPIRED <= group <= cls.CANCELLED


def board_referrals(user, *, everything=False):
    """The coordinator's board as one list, what needs action first: escalated, then
    stalled or expired, then declined (and cancelled) waiting for a re-route, then the others
    (`everything`: every referral of the département, not only those that need action);
    the oldest first within a group. Each has `board_group` (a `BoardGroup`)."""
    escalated = Q(state=ReferralState.SENT, escalated_at__isnull=False)
    stalled = Q(state=ReferralState.SENT, reminded_at__isnull=False, escalated_at__isnull=True) | Q(
        state=ReferralState.ACCEPTED, meeting_reminded_at__isnull=False
    )
    awaiting = awaiting_reroute_on_board()
    referrals = Referral.objects.on_board_of(user).annotate(
        board_group=Case(
            When(escalated, then=Value(BoardGroup.ESCALATED)),
            When(stalled, then=Value(BoardGroup.STALLED)),
            When(awaiting & Q(state=ReferralState.EXPIRED), then=Value(BoardGroup.EXPIRED)),
            When(awaiting & Q(state=ReferralState.DECLINED), then=Value(BoardGroup.DECLINED)),
            When(awaiting & Q(state=ReferralState.CANCELLED), then=Value(BoardGroup.CANCELLED)),
            default=Value(BoardGroup.OTHER),
            output_field=IntegerField(),
        )
    )
    if not everything:
        referrals = referrals.filter(escalated | stalled | awaiting)
    return referrals.select_related(
        "person__commune", "advisor__user", "advisor__structure", "referring_structure"
    ).order_by("board_group", "sent_at", "pk")


def sent_before_working_days(days, *, today=None):
    """The moment before which a referral was sent more than `days` working days ago."""
    today = today or timezone.localdate()
    day = today
    while working_days_between(day, today) <= days:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(), timezone.get_current_timezone())
