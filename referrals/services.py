"""Every write on a referral: role, ownership and current state checked here, once."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from pasip.errors import ApplicationError, Conflict, NotAllowed

from .models import DeclineReason, Referral, ReferralEvent, ReferralState

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B


def referral_code_new():
    return "LOT-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


def referral_send(*, user, person, advisor, needs, suggestions=(), assessment=None):
    """Sends a person to an advisor for some needs; the advisor is told after commit."""
    if not (user.is_social_worker and person.structure_id == user.structure_id):
        raise NotAllowed(_("Vous ne pouvez orienter que les personnes de votre structure."))
    if not needs:
        raise ApplicationError(_("Choisissez au moins un besoin."), code="needs_required")
    if person.active_consent is None:
        raise ApplicationError(
            _("Le consentement de la personne doit être recueilli avant l'orientation."),
            code="consent_required",
        )
    rank = next((s.rank for s in suggestions if s.advisor.pk == advisor.pk), None)
    for _attempt in range(10):
        try:
            return _referral_create(
                user=user,
                person=person,
                advisor=advisor,
                needs=needs,
                rank=rank,
                assessment=assessment,
            )
        except IntegrityError:
            continue  # the random code was taken: draw another
    raise ApplicationError(_("Impossible d'attribuer un code, réessayez."))


@transaction.atomic
def _referral_create(*, user, person, advisor, needs, rank, assessment=None):
    referral = Referral.objects.create(
        assessment=assessment,
        code=referral_code_new(),
        person=person,
        referring_structure=user.structure,
        referrer=user,
        advisor=advisor,
        needs=list(needs),
        was_suggested=rank is not None,
        suggested_rank=rank,
    )
    ReferralEvent.objects.create(referral=referral, actor=user, to_state=ReferralState.SENT)
    notify(
        recipient=advisor.user,
        referral=referral,
        kind="referral_sent",
        subject=_("Nouvelle orientation %(code)s") % {"code": referral.code},
    )
    return referral


def referral_accept(*, user, referral):
    return _advisor_decision(user=user, referral=referral, to_state=ReferralState.ACCEPTED)


def referral_decline(*, user, referral, reason, detail=""):
    if reason not in DeclineReason.values:
        raise ApplicationError(_("Choisissez un motif de refus."), code="reason_required")
    if reason == DeclineReason.OTHER and not detail.strip():
        raise ApplicationError(
            _("Précisez le motif lorsque vous choisissez « Autre »."), code="detail_required"
        )
    return _advisor_decision(
        user=user,
        referral=referral,
        to_state=ReferralState.DECLINED,
        decline_reason=reason,
        decline_detail=detail.strip(),
    )


@transaction.atomic
def _advisor_decision(*, user, referral, to_state, **fields):
    if not (user.is_advisor and referral.advisor.user_id == user.pk):
        raise NotAllowed(_("Seul le conseiller destinataire peut répondre à cette orientation."))
    now = timezone.now()
    # A conditional update: of two answers given at once, exactly one finds the referral sent.
    updated = Referral.objects.filter(pk=referral.pk, state=ReferralState.SENT).update(
        state=to_state, answered_at=now, **fields
    )
    if not updated:
        current = Referral.objects.get(pk=referral.pk)
        raise Conflict(
            _("Cette orientation a déjà reçu une réponse (état : %(state)s).")
            % {"state": current.get_state_display().lower()}
        )
    referral.refresh_from_db()
    ReferralEvent.objects.create(
        referral=referral,
        actor=user,
        at=now,
        from_state=ReferralState.SENT,
        to_state=to_state,
        reason=referral.get_decline_reason_display() if referral.decline_reason else "",
    )
    notify(
        recipient=referral.referrer,
        referral=referral,
        kind="referral_answered",
        subject=_("Orientation %(code)s : %(state)s")
        % {"code": referral.code, "state": referral.get_state_display().lower()},
    )
    return referral
