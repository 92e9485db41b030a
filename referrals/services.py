"""Every write on a referral: role, ownership and current state checked here, once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import TextChoices, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments.profile import NeedsProfile
from directory.services import unmet_needs_record
from matching.services import suggestions_for_person
from notifications.services import (
    appointment_notify,
    notify,
    person_messages_cancel,
    person_messages_cancel_obsolete,
)
from pasip.errors import ApplicationError, Conflict
from pasip.validators import CONTROL_CHARACTERS
from pasip.workdays import working_days_between
from people.policies import person_followed_check

from . import policies, transitions
from .codes import referral_code_new
from .models import (
    OPEN_STATES,
    OUTCOMES,
    OUTSIDE_REASON_MAX,
    REROUTABLE_STATES,
    CancelReason,
    DeclineReason,
    EventKind,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralMessage,
    ReferralState,
)
from .signals import slip_changed

if TYPE_CHECKING:
    from assessments.models import Assessment
    from directory.models import Advisor, Place
    from matching.engine import Ranking
    from people.models import Person


def _unmet_needs_record(person: Person, ranking: Ranking, today: date) -> None:
    """The needs no advisor within reach of `person` covers, once per person, need and month
    (`UnmetNeed`): the figures of needs unmet read them."""
    if ranking.unmet_needs:
        unmet_needs_record(
            person=person, commune=person.commune, categories=ranking.unmet_needs, day=today
        )


def unmet_needs_on_validation(*, assessment: Assessment, **_signal: Any) -> None:
    """A validated assessment records its unmet needs, whether or not a referral follows (a
    person nobody can help is often sent nowhere). The ranking itself writes nothing."""
    person = assessment.person
    today = timezone.localdate()
    _unmet_needs_record(
        person, suggestions_for_person(person, assessment.needs_profile, today=today), today
    )


def referral_send(
    *,
    user: User,
    person: Person,
    advisor: Advisor,
    needs: Sequence[str],
    previous: Referral | None = None,
    assessment: Assessment | None = None,
    shared: bool = False,
    outside_reason: str | None = None,
) -> Referral:
    """Sends a person to an advisor for some needs; the advisor is told after commit.

    The advisors are ranked here on `send_profile`, as the suggestions page shows them.
    `shared`: to the advisor's structure's shared inbox, where any of its advisors may answer.
    `outside_reason`: the advisor was picked in the directory, outside the suggestions; the
    social worker says why (required then, recorded on the referral).
    """
    person_followed_check(user, person)
    if outside_reason is not None:
        outside_reason = outside_reason_check(outside_reason)
    return _referral_send(
        user=user,
        referrer=user,
        person=person,
        advisor=advisor,
        needs=needs,
        profile=send_profile(assessment, needs),
        previous=previous,
        assessment=assessment,
        shared=shared,
        outside_reason=outside_reason,
    )


def send_profile(assessment: Assessment | None, needs: Sequence[str] | None = None) -> NeedsProfile:
    """The profile a referral's advisors are ranked on: the assessment's needs profile
    narrowed to the needs kept for this referral (all of them when none is kept), or the
    bare needs when it is sent without an assessment. The assessment is not changed."""
    if assessment is None:
        return NeedsProfile.from_categories(needs)
    profile = assessment.needs_profile
    kept = [need for need in profile.needs if need.category in (needs or ())]
    return replace(profile, needs=tuple(kept)) if kept else profile


def printable_check(text: str) -> str:
    """Free text typed by an agent (a message, a reason's detail) holds no control character
    and no invisible or bidirectional mark, as names do (pasip.validators)."""
    if CONTROL_CHARACTERS.search(text):
        raise ApplicationError(
            _("Ce texte contient des caractères invisibles ou de contrôle : retapez-le."),
            code="control_characters",
        )
    return text


def outside_reason_check(reason: str | None) -> str:
    """The reason for an advisor chosen outside the suggestions, stripped; raises when it is
    missing or too long."""
    reason = printable_check((reason or "").strip())
    if not reason:
        raise ApplicationError(
            _("Dites pourquoi vous choisissez ce conseiller hors des suggestions."),
            code="outside_reason_required",
        )
    if len(reason) > OUTSIDE_REASON_MAX:
        raise ApplicationError(
            _("La raison tient en %(max)s caractères au plus (%(length)s saisis).")
            % {"max": OUTSIDE_REASON_MAX, "length": len(reason)},
            code="outside_reason_too_long",
        )
    return reason


def advisor_active_check(advisor: Advisor) -> None:
    """Raises unless `advisor` may still receive referrals (entry and account active)."""
    if not (advisor.is_active and advisor.user.is_active):
        raise ApplicationError(
            _("Ce conseiller n'est plus actif : choisissez-en un autre."), code="advisor_inactive"
        )


def _referral_send(
    *,
    user: User,
    referrer: User,
    person: Person,
    advisor: Advisor,
    needs: Sequence[str],
    profile: NeedsProfile,
    previous: Referral | None,
    assessment: Assessment | None,
    shared: bool,
    outside_reason: str | None = None,
    exclude: Iterable[Advisor | int] = (),
) -> Referral:
    """`user` sends for `referrer` (the same person, or the coordinator re-routing).

    The advisors are ranked on `profile` (`exclude` left out) as the suggestions were shown,
    so that the referral records whether and where its advisor was suggested; the needs no
    advisor within reach covers are recorded with the referral, for the statistics."""
    advisor_active_check(advisor)
    if not needs:
        raise ApplicationError(_("Choisissez au moins un besoin."), code="needs_required")
    if person.active_consent is None:
        raise ApplicationError(
            _("Le consentement de la personne doit être recueilli avant l'orientation."),
            code="consent_required",
        )
    today = timezone.localdate()
    suggestions = suggestions_for_person(person, profile, exclude=exclude, today=today)
    rank = next((s.rank for s in suggestions if s.advisor.pk == advisor.pk), None)
    for _attempt in range(10):
        try:
            referral = _referral_create(
                user=user,
                referrer=referrer,
                person=person,
                advisor=advisor,
                needs=needs,
                rank=rank,
                previous=previous,
                assessment=assessment,
                shared=shared,
                outside_reason=outside_reason,
            )
        except IntegrityError:
            continue  # the random code was taken: draw another
        _unmet_needs_record(person, suggestions, today)
        return referral
    raise ApplicationError(_("Impossible d'attribuer un code, réessayez."))


@transaction.atomic
def _referral_create(
    *,
    user: User,
    referrer: User,
    person: Person,
    advisor: Advisor,
    needs: Sequence[str],
    rank: int | None,
    previous: Referral | None = None,
    assessment: Assessment | None = None,
    shared: bool = False,
    outside_reason: str | None = None,
) -> Referral:
    referral = Referral.objects.create(
        shared=shared,
        previous=previous,
        assessment=previous.assessment if previous else assessment,
        code=referral_code_new(person.commune.department),
        person=person,
        # A re-routing keeps the structure that referred the person first.
        referring_structure=previous.referring_structure if previous else referrer.structure,
        referrer=referrer,
        advisor=advisor,
        needs=list(needs),
        was_suggested=rank is not None,
        suggested_rank=rank,
        chosen_outside=outside_reason is not None,
        outside_reason=outside_reason or "",
    )
    ReferralEvent.objects.create(referral=referral, actor=user, to_state=ReferralState.SENT)
    for recipient in advisor_recipients(referral):
        notify(
            recipient=recipient,
            referral=referral,
            kind="referral_sent",
            subject=_("Nouvelle orientation %(code)s") % {"code": referral.code},
        )
    # The slip is printed right after sending: a worker renders both variants meanwhile.
    slip_changed.send(sender=Referral, referral_id=referral.pk)
    return referral


def referral_accept(
    *,
    user: User,
    referral: Referral,
    appointment_at: datetime | None = None,
    appointment_place: Place | None = None,
) -> Referral:
    """The advisor takes the case, optionally with an appointment (date, place)."""
    advisor = getattr(user, "advisor_profile", None) or referral.advisor
    _place_check(advisor, appointment_place)
    if appointment_at is not None:
        appointment_date_check(appointment_at)
    with transaction.atomic():
        referral = _transition(
            user=user,
            referral=referral,
            name="accept",
            fields={
                "answered_at": timezone.now(),
                "appointment_at": appointment_at,
                "appointment_place": appointment_place,
                # From a shared inbox, the advisor who accepts takes the referral.
                "advisor": user.advisor_profile if user and user.is_advisor else referral.advisor,
            },
        )
        if appointment_at is not None:
            # The person's confirmation now and reminder the day before (consent permitting).
            appointment_notify(referral=referral)
    return referral


def referral_decline(
    *, user: User, referral: Referral, reason: str, detail: str | None = ""
) -> Referral:
    detail = _coded_reason(DeclineReason, reason, detail)
    return _transition(
        user=user,
        referral=referral,
        name="decline",
        fields={
            "answered_at": timezone.now(),
            "closed_at": timezone.now(),
            "decline_reason": reason,
            "decline_detail": detail,
        },
        reason=DeclineReason(reason).label,
    )


def _place_check(advisor: Advisor, place: Place | None) -> None:
    if place is not None and not advisor.places.filter(pk=place.pk).exists():
        raise ApplicationError(_("Choisissez un de vos lieux."), code="place_invalid")


def appointment_date_check(appointment_at: datetime) -> None:
    """Raises when the appointment would be in the past."""
    if appointment_at <= timezone.now():
        raise ApplicationError(
            _("La date du rendez-vous est passée : choisissez une date et une heure à venir."),
            code="appointment_past",
        )


def appointment_check(*, user: User, referral: Referral) -> None:
    """Raises unless `user` is the referral's advisor and the referral is accepted or under
    way: the only person and the only time its appointment may change."""
    policies.referral_appointment_check(user, referral)
    if not referral.appointment_stands:
        raise Conflict(
            _(
                "Le rendez-vous se fixe une fois l'orientation acceptée, tant que "
                "l'accompagnement est ouvert : elle est « %(state)s »."
            )
            % {"state": referral.get_state_display().lower()},
            code="appointment_state",
        )


def referral_appointment_set(
    *,
    user: User,
    referral: Referral,
    appointment_at: datetime | None,
    appointment_place: Place | None = None,
) -> Referral:
    """The advisor adds or moves the appointment: the person's confirmation and reminder for
    the former one are cancelled, new ones written (`appointment_notify`)."""
    appointment_check(user=user, referral=referral)
    if appointment_at is None:
        raise ApplicationError(
            _("Indiquez la date et l'heure du rendez-vous."), code="appointment_required"
        )
    appointment_date_check(appointment_at)
    _place_check(referral.advisor, appointment_place)
    moved = referral.appointment_at is not None
    when = timezone.localtime(appointment_at).strftime("%d/%m/%Y à %H:%M")
    reason = (
        _("Rendez-vous déplacé au %(when)s") if moved else _("Rendez-vous fixé au %(when)s")
    ) % {"when": when}
    return _appointment_write(
        user=user,
        referral=referral,
        fields={"appointment_at": appointment_at, "appointment_place": appointment_place},
        reason=reason,
        change=_("rendez-vous déplacé") if moved else _("rendez-vous fixé"),
    )


def referral_appointment_remove(*, user: User, referral: Referral) -> Referral:
    """The advisor removes the appointment; what the person was still to receive is
    cancelled."""
    appointment_check(user=user, referral=referral)
    if referral.appointment_at is None:
        raise ApplicationError(_("Aucun rendez-vous à supprimer."), code="no_appointment")
    return _appointment_write(
        user=user,
        referral=referral,
        fields={"appointment_at": None, "appointment_place": None},
        reason=_("Rendez-vous supprimé"),
        change=_("rendez-vous supprimé"),
    )


@transaction.atomic
def _appointment_write(
    *, user: User, referral: Referral, fields: dict[str, Any], reason: str, change: str
) -> Referral:
    state = referral.state
    # Conditional, as the transitions: a referral closed a moment ago keeps its state.
    _update_in_state(referral, state, fields)
    ReferralEvent.objects.create(
        referral=referral,
        actor=user,
        kind=EventKind.APPOINTMENT,
        from_state=state,
        to_state=state,
        reason=str(reason),
    )
    appointment_notify(referral=referral)
    slip_changed.send(sender=Referral, referral_id=referral.pk)  # the slip prints the appointment
    # The referring social worker hears of it (the date stays in the application): a person
    # with neither a mobile nor an e-mail address is told by her.
    notify(
        recipient=referral.referrer,
        referral=referral,
        kind="referral_appointment",
        subject=_("Orientation %(code)s : %(change)s") % {"code": referral.code, "change": change},
        context={"change": change},
    )
    return referral


def referral_start(
    *,
    user: User,
    referral: Referral,
    first_meeting_at: datetime | None = None,
    earlier_than_planned: bool = False,
) -> Referral:
    """The first meeting took place: the accompaniment is under way.

    Not before the appointment's day, unless the advisor says it took place earlier than
    planned; the person's reminder of that appointment is then cancelled.
    """
    first_meeting_at = first_meeting_at or timezone.now()
    planned = referral.appointment_at
    earlier = planned is not None and (
        timezone.localdate(first_meeting_at) < timezone.localdate(planned)
    )
    if earlier and not earlier_than_planned:
        raise ApplicationError(
            _(
                "Le rendez-vous était prévu le %(day)s : si le premier rendez-vous a eu lieu "
                "plus tôt, cochez « le premier rendez-vous a eu lieu plus tôt que prévu »."
            )
            % {"day": timezone.localtime(planned).strftime("%d/%m/%Y")},
            code="first_meeting_before_appointment",
        )
    with transaction.atomic():
        referral = _transition(
            user=user,
            referral=referral,
            name="start",
            fields={"first_meeting_at": first_meeting_at},
        )
        if earlier:
            person_messages_cancel(
                referral=referral, reason=_("Premier rendez-vous eu lieu plus tôt que prévu.")
            )
    return referral


def referral_complete(*, user: User, referral: Referral, outcome: str) -> Referral:
    return _close(user=user, referral=referral, name="complete", outcome=outcome)


def referral_fail(*, user: User, referral: Referral, outcome: str) -> Referral:
    return _close(user=user, referral=referral, name="fail", outcome=outcome)


def referral_cancel(
    *, user: User, referral: Referral, reason: str, detail: str | None = ""
) -> Referral:
    detail = _coded_reason(CancelReason, reason, detail)
    return _transition(
        user=user,
        referral=referral,
        name="cancel",
        fields={"closed_at": timezone.now(), "cancel_reason": reason, "cancel_detail": detail},
        reason=CancelReason(reason).label,
    )


def referral_expire(*, referral: Referral) -> Referral:
    """No answer within the deadline: the system closes it; the social worker re-routes."""
    return _transition(
        user=None, referral=referral, name="expire", fields={"closed_at": timezone.now()}
    )


def _close(*, user: User, referral: Referral, name: str, outcome: str) -> Referral:
    if outcome not in OUTCOMES[name]:
        raise ApplicationError(
            _("Choisissez l'issue de l'accompagnement."), code="outcome_required"
        )
    return _transition(
        user=user,
        referral=referral,
        name=name,
        fields={"outcome": outcome, "closed_at": timezone.now()},
        reason=Outcome(outcome).label,
    )


def _coded_reason(choices: type[TextChoices], reason: str, detail: str | None) -> str:
    if reason not in choices.values:
        raise ApplicationError(_("Choisissez un motif."), code="reason_required")
    detail = printable_check((detail or "").strip())
    if reason == choices.OTHER and not detail:
        raise ApplicationError(
            _("Précisez le motif lorsque vous choisissez « Autre »."), code="detail_required"
        )
    return detail


def _update_in_state(referral: Referral, state: str, fields: dict[str, Any]) -> None:
    """Writes `fields` only if the referral is still in `state`, then reloads it; a conflict
    otherwise. Of two decisions taken at once, exactly one still finds the referral in the
    state it was read in; the other is told what it became."""
    updated = Referral.objects.filter(pk=referral.pk, state=state).update(**fields)
    if not updated:
        current = Referral.objects.get(pk=referral.pk)
        raise Conflict(
            _("Quelqu'un vient d'agir sur cette orientation : elle est maintenant « %(state)s ».")
            % {"state": current.get_state_display().lower()}
        )
    referral.refresh_from_db()


@transaction.atomic
def _transition(
    *,
    user: User | None,
    referral: Referral,
    name: str,
    fields: dict[str, Any],
    reason: str | Promise = "",
) -> Referral:
    """Checks, applies and records one transition of the table; tells the other side."""
    transition = transitions.check(user=user, referral=referral, name=name)
    from_state = referral.state
    _update_in_state(referral, from_state, {"state": transition.to_state, **fields})
    ReferralEvent.objects.create(
        referral=referral,
        actor=user,
        from_state=from_state,
        to_state=transition.to_state,
        reason=str(reason),
    )
    # Closed (or declined…): the person's confirmation and reminder still waiting are cancelled.
    person_messages_cancel_obsolete(referral=referral)
    if transition.to_state in OPEN_STATES:
        # Still open, its slip changed (state, appointment): printed again, it is ready.
        slip_changed.send(sender=Referral, referral_id=referral.pk)
    for recipient in _other_side(user, referral):
        notify(
            recipient=recipient,
            referral=referral,
            kind="referral_expired" if name == "expire" else "referral_answered",
            subject=_("Orientation %(code)s : %(state)s")
            % {"code": referral.code, "state": referral.get_state_display().lower()},
        )
    return referral


def _other_side(user: User | None, referral: Referral) -> list[User]:
    """Who should hear of a change made by `user`: the referrer, the advisor side, or both."""
    sides = {side.pk: side for side in [referral.referrer, *advisor_recipients(referral)]}
    return [recipient for pk, recipient in sides.items() if user is None or pk != user.pk]


def advisor_recipients(referral: Referral) -> list[User]:
    """Who is told what concerns the advisor (sending, reminders, escalations, messages).

    While the referral waits in a structure's shared inbox, every active advisor of that
    structure, since any of them may answer; otherwise the referral's advisor alone.
    """
    if referral.shared and referral.state == ReferralState.SENT:
        colleagues = list(
            User.objects.filter(
                is_active=True,
                advisor_profile__is_active=True,
                advisor_profile__structure_id=referral.advisor.structure_id,
            ).order_by("pk")
        )
        if colleagues:
            return colleagues
    return [referral.advisor.user]


@transaction.atomic
def referral_message_post(*, user: User, referral: Referral, body: str) -> ReferralMessage:
    """A short message between referrer and advisor; the other side is told."""
    policies.referral_message_check(user, referral)
    body = printable_check((body or "").strip())
    if not body:
        raise ApplicationError(_("Le message est vide."), code="body_required")
    message = ReferralMessage.objects.create(referral=referral, author=user, body=body[:1000])
    for recipient in _other_side(user, referral):
        notify(
            recipient=recipient,
            referral=referral,
            kind="referral_message",
            subject=_("Nouveau message sur l'orientation %(code)s") % {"code": referral.code},
        )
    return message


def referral_reroute(*, user: User, referral: Referral, advisor: Advisor) -> Referral:
    """A new referral to another advisor, linked to a declined, expired or cancelled one."""
    policies.referral_reroute_check(user, referral)
    with transaction.atomic():
        old = Referral.objects.select_for_update().get(pk=referral.pk)
        if old.state not in REROUTABLE_STATES:
            raise Conflict(
                _("Seule une orientation refusée, expirée ou annulée peut être réorientée.")
            )
        if old.reroutes.exists():
            raise Conflict(_("Cette orientation a déjà été réorientée."), code="already_rerouted")
        if advisor.pk in {a.pk for a in advisors_excluded(old)}:
            raise ApplicationError(
                _("Choisissez un autre conseiller que celui déjà sollicité."), code="same_advisor"
            )
        # The coordinator sends on behalf of the referring social worker, who keeps the person.
        new = _referral_send(
            user=user,
            referrer=user if user.is_social_worker else old.referrer,
            person=old.person,
            advisor=advisor,
            needs=old.needs,
            profile=reroute_profile(old),
            exclude=advisors_excluded(old),
            previous=old,
            assessment=None,
            shared=False,
        )
        if user.is_coordinator:
            notify(
                recipient=old.referrer,
                referral=new,
                kind="referral_rerouted",
                subject=_("Orientation %(old)s réorientée : %(new)s")
                % {"old": old.code, "new": new.code},
                context={"previous": old},
            )
        ReferralEvent.objects.create(
            referral=old,
            actor=user,
            kind=EventKind.REROUTED,
            from_state=old.state,
            to_state=old.state,
            reason=new.code,
        )
    return new


def advisors_excluded(referral: Referral) -> list[Advisor]:
    """Advisors already tried along the chain of re-routings that ends with `referral`."""
    advisors, current = [], referral
    while current is not None:
        advisors.append(current.advisor)
        current = current.previous
    return advisors


def reroute_profile(referral: Referral) -> NeedsProfile:
    """The needs profile a re-routing is matched on: the assessment the referral was sent with
    (the first one along its chain of re-routings), limited to the referral's needs.

    So the person's travel limit, constraints and available half-days count as they did for
    the first suggestions. A referral sent without an assessment falls back to its bare needs.
    """
    current = referral
    while current is not None and current.assessment_id is None:
        current = current.previous
    profile = current.assessment.needs_profile if current is not None else None
    needs = tuple(n for n in profile.needs if n.category in referral.needs) if profile else ()
    if not needs:
        return NeedsProfile.from_categories(referral.needs)
    return replace(profile, needs=needs)


def reroute_suggestions(referral: Referral) -> Ranking:
    """The ranking for re-routing `referral`, the advisors already tried left out (why not).

    The same engine and order as the first suggestions (see `matching/engine.py`).
    """
    return suggestions_for_person(
        referral.person, reroute_profile(referral), exclude=advisors_excluded(referral)
    )


def referral_deadlines_apply(*, today: date | None = None) -> dict[str, int]:
    """Reminders, escalations, expiries and first-meeting reminders due on `today`.

    Counted in working days from the sending (or the acceptance). Each step is recorded by a
    conditional update of its marker, so running the job twice changes nothing more.
    Returns the number of actions taken, by kind.
    """
    today = today or timezone.localdate()
    done = {"reminder": 0, "escalation": 0, "expiry": 0, "meeting_reminder": 0}
    waiting = Referral.objects.filter(state=ReferralState.SENT).select_related(
        "advisor__user", "person__commune__department"
    )
    for referral in waiting:
        department = referral.person.commune.department
        days = department.deadlines()
        elapsed = working_days_between(
            timezone.localdate(referral.sent_at), today, department.holidays
        )
        if elapsed >= days["expiry"]:
            try:
                referral_expire(referral=referral)
            except Conflict:
                continue  # answered meanwhile
            done["expiry"] += 1
        elif elapsed >= days["escalation"]:
            done["escalation"] += _escalate(referral)
        elif elapsed >= days["reminder"]:
            done["reminder"] += _remind(referral, "reminded_at", EventKind.REMINDER)
    accepted = Referral.objects.filter(
        state=ReferralState.ACCEPTED, meeting_reminded_at__isnull=True
    ).select_related("advisor__user", "person__commune__department")
    for referral in accepted:
        department = referral.person.commune.department
        start = timezone.localdate(referral.answered_at or referral.sent_at)
        elapsed = working_days_between(start, today, department.holidays)
        if elapsed >= department.deadlines()["first_meeting"]:
            done["meeting_reminder"] += _remind(
                referral, "meeting_reminded_at", EventKind.MEETING_REMINDER
            )
    return done


@transaction.atomic
def _remind(referral: Referral, marker: str, kind: str) -> int:
    marked = Referral.objects.filter(
        pk=referral.pk, state=referral.state, **{f"{marker}__isnull": True}
    ).update(**{marker: timezone.now()})
    if not marked:
        return 0
    ReferralEvent.objects.create(
        referral=referral, kind=kind, from_state=referral.state, to_state=referral.state
    )
    for recipient in advisor_recipients(referral):
        notify(
            recipient=recipient,
            referral=referral,
            kind="referral_reminder" if kind == EventKind.REMINDER else "meeting_reminder",
            subject=_("Relance : orientation %(code)s") % {"code": referral.code},
        )
    return 1


@transaction.atomic
def _escalate(referral: Referral) -> int:
    now = timezone.now()
    marked = Referral.objects.filter(
        pk=referral.pk, state=ReferralState.SENT, escalated_at__isnull=True
    ).update(escalated_at=now, reminded_at=Coalesce("reminded_at", Value(now)))
    if not marked:
        return 0
    ReferralEvent.objects.create(
        referral=referral,
        kind=EventKind.ESCALATION,
        from_state=referral.state,
        to_state=referral.state,
    )
    for recipient in advisor_recipients(referral):
        notify(
            recipient=recipient,
            referral=referral,
            kind="referral_reminder",
            subject=_("Relance : orientation %(code)s") % {"code": referral.code},
        )
    for coordinator in coordinators_of(referral):
        notify(
            recipient=coordinator,
            referral=referral,
            kind="referral_escalated",
            subject=_("Orientation %(code)s sans réponse") % {"code": referral.code},
        )
    return 1


def coordinators_of(referral: Referral) -> list[User]:
    department_id = referral.person.commune.department_id
    return [
        user
        for user in User.objects.filter(role=Role.COORDINATOR, is_active=True).select_related(
            "structure__commune"
        )
        if user.department and user.department.pk == department_id
    ]
