from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pasip.errors import ApplicationError, Conflict

from . import erasure
from .ages import age_band
from .models import IDENTITY_CONSENT_REQUIRED, Consent, Person, PersonAccess
from .policies import person_followed_check, person_register_check
from .signals import consent_recorded

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def person_register(
    *,
    user: User,
    consent_method: str,
    share_identity: bool,
    share_assessment: bool,
    **person_data: Any,
) -> Person:
    """Registers a person for the user's structure with the consent given in the interview."""
    person_register_check(user)
    person = Person.objects.create(structure=user.structure, created_by=user, **person_data)
    Consent.objects.create(
        person=person,
        share_identity=share_identity,
        share_assessment=share_assessment,
        method=consent_method,
        recorded_by=user,
    )
    return person


def person_access_log(*, user: User, persons: Iterable[Person | None], where: str) -> None:
    """Writes who saw which persons' data, from where (a page's or API call's path)."""
    PersonAccess.objects.bulk_create(
        PersonAccess(user=user, person=person, where=where[:200])
        for person in persons
        if person is not None and not person.erased_at
    )


@transaction.atomic
def consent_revoke(*, user: User, person: Person, where: str = "") -> Person:
    """Revocation in one action: consent ends now, open referrals are cancelled.

    Who revoked is kept on the consent, and the revocation is written to the access log the
    coordinator reads (`where`: the page or API call it came from), open referral or not.
    """
    from referrals.models import CancelReason, Referral
    from referrals.services import referral_cancel

    person_followed_check(user, person)
    now = timezone.now()
    active = Consent.objects.filter(person=person, revoked_at__isnull=True)
    if not active.update(revoked_at=now, revoked_by=user):
        raise Conflict(_("Le consentement a déjà été retiré."), code="already_revoked")
    label = _("Retrait du consentement")
    where = f"{label} ({where})" if where else label
    PersonAccess.objects.create(user=user, person=person, at=now, where=where[:200])
    for referral in Referral.objects.open().filter(person=person).select_for_update():
        referral_cancel(user=user, referral=referral, reason=CancelReason.CONSENT_WITHDRAWN)
    return person


@transaction.atomic
def consent_record(
    *, user: User, person: Person, share_identity: bool, share_assessment: bool, method: str
) -> Consent:
    """A new consent after a revocation (or to widen its scope): the latest one applies."""
    person_followed_check(user, person)
    if not share_identity:
        raise ApplicationError(IDENTITY_CONSENT_REQUIRED, code="identity_required")
    Consent.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    consent = Consent.objects.create(
        person=person,
        share_identity=share_identity,
        share_assessment=share_assessment,
        method=method,
        recorded_by=user,
    )
    # The slips of the person's open referrals print the consent (`slips.apps`).
    consent_recorded.send(sender=Person, person=person)
    return consent


def person_export(*, user: User, person: Person) -> dict[str, Any]:
    """Everything held about one person, as plain data (the right of access)."""
    person_followed_check(user, person)

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "person": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_year": person.birth_year,
            "commune": {"insee": person.commune.insee, "name": person.commune.name},
            "phone": person.phone,
            "email": person.email,
            "preferred_channel": person.preferred_channel,
            "structure": str(person.structure),
            "created_at": when(person.created_at),
        },
        "consents": [
            {
                "share_identity": consent.share_identity,
                "share_assessment": consent.share_assessment,
                "method": consent.method,
                "recorded_by": consent.recorded_by.get_full_name(),
                "recorded_at": when(consent.recorded_at),
                "revoked_at": when(consent.revoked_at),
                "revoked_by": consent.revoked_by.get_full_name() if consent.revoked_by else None,
            }
            for consent in person.consents.select_related("recorded_by", "revoked_by").order_by(
                "recorded_at"
            )
        ],
        "assessments": [
            {
                "created_at": when(assessment.created_at),
                "status": assessment.status,
                "answers": assessment.answers,
            }
            for assessment in person.assessments.order_by("created_at")
        ],
        "referrals": [
            {
                "code": referral.code,
                "needs": referral.needs,
                "advisor": str(referral.advisor),
                "state": referral.state,
                "sent_at": when(referral.sent_at),
                "closed_at": when(referral.closed_at),
                "outcome": referral.outcome,
                "events": [
                    {
                        "at": when(event.at),
                        "from": event.from_state,
                        "to": event.to_state,
                        "kind": event.kind,
                        "reason": event.reason,
                    }
                    for event in referral.events.all()
                ],
                "messages": [
                    {"at": when(message.at), "author": str(message.author), "body": message.body}
                    for message in referral.messages.select_related("author")
                ],
            }
            for referral in person.referrals.select_related("advisor__user").order_by("sent_at")
        ],
        "accesses": [
            {"at": when(access.at), "by": str(access.user), "where": access.where}
            for access in person.accesses.select_related("user")
        ],
    }


@transaction.atomic
def person_erase(*, user: User, person: Person) -> Person:
    """Erasure on request: open referrals cancelled, then only the anonymised record is left."""
    from referrals.models import CancelReason, Referral
    from referrals.services import referral_cancel

    person_followed_check(user, person)
    for referral in Referral.objects.open().filter(person=person).select_for_update():
        referral_cancel(user=user, referral=referral, reason=CancelReason.ERASURE)
    return person_anonymise(person=person)


@transaction.atomic
def person_anonymise(*, person: Person) -> Person:
    """Keeps age band, commune, needs, states and month-level dates; erases everything else.

    Statistics count referrals by the person's commune and the month they were sent: both are
    kept (dates become the first day of their month, in local time), so the counts do not move.
    The person's own record is anonymised here; then each app anonymises its own rows tied to
    the person (`people.erasure`): referrals keep their delays (working days from sending to
    the answer, the first meeting and the closure, computed before the dates are cut), messages
    to the person their kind, channel and state, assessments their needs and support mode.
    """
    if person.erased_at:
        return person
    last = person.referrals.aggregate(last=models.Max("sent_at"))["last"] or person.created_at
    person.age_band = age_band(person.birth_year, timezone.localtime(last).year)
    person.first_name = person.last_name = person.phone = person.email = ""
    person.birth_year = None
    person.created_at = erasure.month(person.created_at)
    person.erased_at = timezone.now()
    person.save()
    erasure.erase(person)
    return person


def persons_retention_apply(*, now: datetime | None = None) -> int:
    """Anonymises persons whose last referral closed more than the retention period ago.

    A person with an open referral is kept; one never referred is kept the same period after
    registration. Returns how many persons were anonymised; running it twice changes nothing.
    """
    from django.db.models import Exists, Max, OuterRef

    from referrals.models import Referral

    now = now or timezone.now()
    limit = _months_before(now, settings.PASIP_RETENTION_MONTHS)
    open_referrals = Referral.objects.open().filter(person=OuterRef("pk"))
    candidates = Person.objects.filter(erased_at__isnull=True).exclude(Exists(open_referrals))
    closed_long_ago = candidates.annotate(last_closed=Max("referrals__closed_at")).filter(
        last_closed__lt=limit
    )
    never_referred = candidates.filter(referrals__isnull=True, created_at__lt=limit)
    count = 0
    for person in [*closed_long_ago, *never_referred]:
        person_anonymise(person=person)
        count += 1
    access_log_purge(now=now)
    return count


def access_log_purge(*, now: datetime | None = None) -> int:
    """Deletes the access log's rows older than its keeping period (12 months); the only
    deletion the log allows. Run daily by beat with the retention (`tasks.apply_retention`)."""
    now = now or timezone.now()
    before = _months_before(now, settings.PASIP_ACCESS_LOG_MONTHS)
    return PersonAccess.objects.retention_purge(before=before)


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)
