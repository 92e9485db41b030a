from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pasip.errors import ApplicationError, Conflict

from .models import IDENTITY_CONSENT_REQUIRED, Consent, Person, PersonAccess
from .policies import person_followed_check, person_register_check


@transaction.atomic
def person_register(*, user, consent_method, share_identity, share_assessment, **person_data):
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


def person_access_log(*, user, persons, where):
    """Writes who saw which persons' data, from where (a page's or API call's path)."""
    PersonAccess.objects.bulk_create(
        PersonAccess(user=user, person=person, where=where[:200])
        for person in persons
        if person is not None and not person.erased_at
    )


@transaction.atomic
def consent_revoke(*, user, person, where=""):
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
def consent_record(*, user, person, share_identity, share_assessment, method):
    """A new consent after a revocation (or to widen its scope): the latest one applies."""
    from referrals.models import Referral
    from slips.tasks import prerender_after_commit

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
    # The slips of the person's open referrals print the consent: ready when printed again.
    for referral_id in Referral.objects.open().filter(person=person).values_list("pk", flat=True):
        prerender_after_commit(referral_id)
    return consent


def person_export(*, user, person):
    """Everything held about one person, as plain data (the right of access)."""
    person_followed_check(user, person)

    def when(value):
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
def person_erase(*, user, person):
    """Erasure on request: open referrals cancelled, then only the anonymised record is left."""
    from referrals.models import CancelReason, Referral
    from referrals.services import referral_cancel

    person_followed_check(user, person)
    for referral in Referral.objects.open().filter(person=person).select_for_update():
        referral_cancel(user=user, referral=referral, reason=CancelReason.ERASURE)
    return person_anonymise(person=person)


def age_band(birth_year, year):
    age = year - birth_year
    for upper, label in ((25, "16-24"), (45, "25-44"), (60, "45-59"), (75, "60-74")):
        if age < upper:
            return label
    return "75+"


@transaction.atomic
def person_anonymise(*, person):
    """Keeps age band, commune, needs, states and month-level dates; erases everything else.

    Statistics count referrals by the person's commune and the month they were sent: both are
    kept (dates become the first day of their month, in local time), so the counts do not move.
    The delays (working days from sending to the answer, the first meeting and the closure)
    are computed before the dates are cut and kept on the referral, so they do not move either.
    Messages to the person (appointment confirmations and reminders) keep their kind, channel
    and state only: their times are cut to the month too, the provider's trace goes, and one
    still waiting is cancelled.
    """
    from directory.models import UnmetNeed
    from notifications.models import PersonMessage
    from notifications.services import person_messages_cancel
    from referrals.models import Referral, ReferralEvent, ReferralMessage
    from stats.services import referral_delays

    if person.erased_at:
        return person
    referrals = list(Referral.objects.filter(person=person))
    last = max([r.sent_at for r in referrals] or [person.created_at])
    person.age_band = age_band(person.birth_year, timezone.localtime(last).year)
    person.first_name = person.last_name = person.phone = person.email = ""
    person.birth_year = None
    person.created_at = _month(person.created_at)
    person.erased_at = timezone.now()
    person.save()
    ReferralMessage.objects.filter(referral__person=person).delete()
    for referral in referrals:
        person_messages_cancel(referral=referral, reason=_("Données de la personne effacées."))
    for message in PersonMessage.objects.filter(person=person):
        PersonMessage.objects.filter(pk=message.pk).update(
            last_error="", provider_reference="", **_months_of(message, *_dates(PersonMessage))
        )
    for referral in referrals:
        delays = referral_delays(
            referral.sent_at, referral.answered_at, referral.first_meeting_at, referral.closed_at
        )
        referral.answer_days = delays.get("answer")
        referral.meeting_days = delays.get("meeting")
        referral.closure_days = delays.get("closure")
        for field in _dates(Referral):
            setattr(referral, field, _month(getattr(referral, field)))
        referral.appointment_at = referral.appointment_place = None
        referral.decline_detail = referral.cancel_detail = ""
        referral.save()
    # The erasure is the one writer allowed past the events' append-only rule: dates only.
    ReferralEvent.objects.filter(referral__person=person).erasure_cut_dates_to_month(_month)
    # The answers go, and of the computed profile only the need categories and the support
    # mode stay, anonymous: its summary, due date, availability, travel, languages and
    # specific needs were the person's own.
    for assessment in person.assessments.all():
        person.assessments.filter(pk=assessment.pk).update(
            answers={},
            profile=_anonymous_profile(assessment.profile),
            **_months_of(assessment, *_dates(type(assessment))),
        )
    # The consents (recorded, revoked) and the unmet needs found for the person: to the month.
    for model in (Consent, UnmetNeed):
        for row in model.objects.filter(person=person):
            model.objects.filter(pk=row.pk).update(**_months_of(row, *_dates(model)))
    return person


def _anonymous_profile(profile):
    """What the statistics read of a needs profile, nothing the person could be told from."""
    if not isinstance(profile, dict):
        return None
    return {"needs": profile.get("needs") or [], "support_mode": profile.get("support_mode")}


def _months_of(instance, *fields):
    return {field: _month(getattr(instance, field)) for field in fields}


def _dates(model):
    """The names of a model's date and time fields."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


def _month(value):
    if value is None:
        return None
    local = timezone.localtime(value)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def persons_retention_apply(*, now=None):
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


def access_log_purge(*, now=None):
    """Deletes the access log's rows older than its keeping period (12 months); the only
    deletion the log allows. Run daily by beat with the retention (`tasks.apply_retention`)."""
    now = now or timezone.now()
    before = _months_before(now, settings.PASIP_ACCESS_LOG_MONTHS)
    return PersonAccess.objects.retention_purge(before=before)


def _months_before(moment, months):
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)
