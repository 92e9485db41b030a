"""The demo's persons and their referrals: persons drawn across the Lot, referral slots, each
referral's history, the referrals waiting on the coordinator's board, the deadlines and closures
the services would have recorded, and the assessments attached.

Every name, phone number and e-mail here is invented. Rows are written directly with the ORM, never
through the services, so that no notification is queued; but every referral's history is checked
first against the lifecycle's transition table (`demo.timelines.timeline_check`), so the demo has
no lifecycle of its own. The draws happen in a fixed order: the same seed and day give the same
demo.
"""

import random
from collections import Counter
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments.models import Assessment, QuestionnaireVersion
from assessments.services import questionnaire_load_file
from directory.enums import Service
from directory.models import Advisor
from pasip.workdays import add_working_days, is_working_day, working_days_between
from people.models import Consent, ContactChannel, Person
from referrals.codes import referral_code_new
from referrals.models import (
    OPEN_STATES,
    DeclineReason,
    EventKind,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralState,
)
from territory.models import haversine_km

from .assessments import demo_assessment
from .constants import CCAS_CAHORS, DEPARTMENT_WIDE, SOCIAL_WORKERS, ascii_slug
from .timelines import timeline_check

PERSON_EMAIL_DOMAIN = "exemple.invalid"

PERSON_COUNT = 250
REFERRAL_COUNT = 350
# The assessment came into use this many days ago: half the referrals sent before have none.
ASSESSMENT_SINCE_DAYS = 300
EXPIRY_DAYS = 15  # a referral left unanswered this long is marked expired
INBOX_COUNT = 6  # recent referrals from `travailleur.social` waiting for `conseiller`
# Referrals waiting this many working days for an answer, so that the coordinator's board shows
# at once a stalled one (reminded, not yet escalated) and escalated ones (the deadlines are
# `settings.PASIP_DEADLINES`: reminder after 2 working days, escalation after 5, expiry after 10).
BOARD_WAITING_WORKING_DAYS = (3, 4, 6, 8)

FIRST_NAMES = [
    "Marie", "Jeanne", "Josette", "Monique", "Françoise", "Nicole", "Christiane", "Simone",
    "Martine", "Sylvie", "Nathalie", "Sandrine", "Aurélie", "Laetitia", "Manon", "Léa", "Inès",
    "Fatima", "Yvette", "Odette", "Jean", "Pierre", "Michel", "André", "Bernard", "Jacques",
    "Alain", "Gérard", "Daniel", "Patrick", "Philippe", "Christian", "Didier", "Éric", "Stéphane",
    "Sébastien", "Mickaël", "Kevin", "Dylan", "Mohamed", "Raymond", "Lucien", "Paulette",
    "Germaine", "Henri", "Roger",
]  # fmt: skip
LAST_NAMES = [
    "Delrieu", "Lafage", "Bouzou", "Cayrou", "Vayssière", "Lacassagne", "Pélissié", "Taillade",
    "Andrieu", "Gineste", "Fourès", "Bergougnoux", "Castagné", "Delfau", "Murat", "Mazet",
    "Lascoux", "Nouvel", "Rouquié", "Sabrié", "Lagane", "Bouscarel", "Cabanès", "Darnis", "Estival",
    "Faurie", "Gaillard", "Issaly", "Jouclas", "Lapergue", "Marcouly", "Olivié", "Périé",
    "Quercy", "Rivière", "Salvat", "Terral", "Valéry", "Vergnes", "Martin", "Bernard", "Durand",
    "Moreau", "Garcia", "Lopez", "Petit", "Robert", "Richard", "Dubois", "Girard",
]  # fmt: skip

NEED_WEIGHTS = {
    Service.ADMIN_PROCEDURES: 40,
    Service.EVERYDAY_TOOLS: 30,
    Service.SAFETY: 8,
    Service.EMPLOYMENT: 8,
    Service.ACCESS: 7,
    Service.EQUIPMENT_PURCHASE: 5,
    Service.PARENTING: 4,
    Service.UNDERSTANDING: 4,
}  # not "Loisirs" (advisors offer it): no question of the assessment leads to it

DECLINE_DETAILS = [
    "La personne est déjà accompagnée par un autre conseiller.",
    "Conseiller absent jusqu'à la fin du mois, merci de réorienter.",
    "La demande relève d'un écrivain public.",
    "La personne souhaite un accompagnement à domicile, que nous ne proposons pas.",
]
CANCEL_REASONS = [
    "La personne a trouvé une aide ailleurs.",
    "La personne ne souhaite plus être accompagnée.",
    "Erreur de conseiller, nouvelle orientation envoyée.",
    "Démarche finalement réalisée en entretien.",
]
FAILURE_REASONS = [
    "La personne ne s'est pas présentée aux rendez-vous proposés.",
    "Personne injoignable après plusieurs relances.",
    "La personne a déménagé hors du département.",
]

# State weights, by minimum age in days for the state to be plausible.
OLD_STATE_WEIGHTS = [  # sent more than EXPIRY_DAYS + 1 days ago
    (ReferralState.ACCEPTED, 36, 0),
    (ReferralState.IN_PROGRESS, 12, 0),
    (ReferralState.COMPLETED, 22, 25),
    (ReferralState.FAILED, 4, 25),
    (ReferralState.DECLINED, 10, 0),
    (ReferralState.EXPIRED, 8, 0),
    (ReferralState.CANCELLED, 8, 0),
]
RECENT_STATE_WEIGHTS = [
    (ReferralState.SENT, 45, 0),
    (ReferralState.ACCEPTED, 30, 0),
    (ReferralState.IN_PROGRESS, 10, 3),
    (ReferralState.DECLINED, 8, 0),
    (ReferralState.CANCELLED, 5, 0),
]


def _moment(rng, day):
    """An aware datetime on `day` (moved off weekends) during office hours, Paris time."""
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _later(rng, start, max_days, now):
    """A plausible moment 0–max_days after `start` (mostly soon), never in the future."""
    days = int(max_days * rng.random() ** 2)
    moment = _moment(rng, timezone.localtime(start).date() + timedelta(days=days))
    if moment <= start:
        moment = start + timedelta(minutes=rng.randint(20, 240))
    if moment >= now:
        moment = start + (now - start) * rng.uniform(0.2, 0.8)
    return moment


def _social_worker_pick(rng, commune, social_workers, weights_by_user):
    weights = []
    for user in social_workers:
        base, structure = weights_by_user[user.pk]
        if structure.name == CCAS_CAHORS:
            weight = base if commune.pk == structure.commune_id else 0.0
        elif structure.name in DEPARTMENT_WIDE:
            weight = base
        else:
            distance = haversine_km(
                commune.latitude,
                commune.longitude,
                structure.commune.latitude,
                structure.commune.longitude,
            )
            weight = base / (1 + (distance / 12) ** 2)
        weights.append(weight)
    return rng.choices(social_workers, weights=weights)[0]


def _needs_pick(rng):
    count = rng.choices([1, 2, 3], weights=[55, 33, 12])[0]
    pool = dict(NEED_WEIGHTS)
    needs = []
    for _step in range(count):
        need = rng.choices(list(pool), weights=list(pool.values()))[0]
        needs.append(need)
        del pool[need]
    return needs


def _ranked(commune, needs, advisors, ranking_cache):
    """[(distance, advisor info)] of the advisors covering every need, nearest first."""
    key = (commune.pk, tuple(sorted(needs)))
    if key not in ranking_cache:
        ranked = sorted(
            (
                (info.distance_km(commune), info.name, info)
                for info in advisors
                if set(needs) <= info.themes
            ),
            key=lambda item: (item[0], item[1]),
        )
        ranking_cache[key] = [(distance, info) for distance, _name, info in ranked]
    return ranking_cache[key]


def _advisor_pick(rng, commune, needs, advisors, ranking_cache):
    """(advisor info, was_suggested, rank, distance), the advisor covering every need."""
    ranked = _ranked(commune, needs, advisors, ranking_cache)
    while not ranked:  # nobody covers them all: drop the last need drawn
        needs.pop()
        ranked = _ranked(commune, needs, advisors, ranking_cache)
    if len(ranked) > 3 and rng.random() < 0.1:  # chosen by hand, outside the suggestions shown
        distance, info = rng.choice(ranked[3:])
        return info, False, None, distance
    rank = min(rng.choices([1, 2, 3], weights=[70, 20, 10])[0], len(ranked))
    distance, info = ranked[rank - 1]
    return info, True, rank, distance


def _advisor_rank(commune, needs, advisors, ranking_cache, chosen):
    """(advisor info, was_suggested, rank, distance) for an advisor chosen beforehand."""
    ranked = _ranked(commune, needs, advisors, ranking_cache)
    for rank, (distance, info) in enumerate(ranked, start=1):
        if info is chosen:
            return info, rank <= 3, rank if rank <= 3 else None, distance
    return chosen, False, None, chosen.distance_km(commune)


def _state_pick(rng, age_days):
    table = OLD_STATE_WEIGHTS if age_days > EXPIRY_DAYS + 1 else RECENT_STATE_WEIGHTS
    allowed = [(state, weight) for state, weight, min_age in table if age_days >= min_age]
    return rng.choices([state for state, _w in allowed], weights=[w for _s, w in allowed])[0]


def _decline_reason_pick(rng, distance):
    weights = {
        DeclineReason.OUT_OF_AREA: 40 if distance > 20 else 8,
        DeclineReason.NO_CAPACITY: 35,
        DeclineReason.NEED_NOT_COVERED: 12,
        DeclineReason.DUPLICATE: 8,
        DeclineReason.OTHER: 15,
    }
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sent_at_pick(rng, today, now):
    days_ago = int(365 * rng.random() ** 1.25)  # a little more activity in recent months
    moment = _moment(rng, today - timedelta(days=days_ago))
    if moment >= now:
        moment = now - timedelta(minutes=rng.randint(30, 600))
    return moment


def persons_and_referrals_load(rng, communes, social_workers, social, advisors):
    """Draws the persons and their referrals and writes them, with their histories."""
    now = timezone.now()
    today = timezone.localdate()
    persons = _persons_draw(rng, communes, social_workers, social)
    demo_social_worker = social_workers[0]
    slots = _slots_draw(rng, persons, demo_social_worker, today, now)
    _persons_save(rng, persons, slots)

    codes = set(Referral.objects.values_list("code", flat=True))
    ranking_cache = {}
    referrals, timelines = _slot_referrals(rng, slots, persons, advisors, ranking_cache, codes, now)
    referrals_waiting = _board_referrals(
        persons, advisors, ranking_cache, codes, demo_social_worker, today, now
    )
    referrals += [referral for referral, _events in referrals_waiting]
    timelines += [events for _referral, events in referrals_waiting]
    _closures_record(referrals, timelines)
    _deadlines_record(referrals, timelines, today, now)
    _assessments_attach(random.Random(rng.getrandbits(32)), referrals, now)
    _referrals_save(referrals, timelines)


def _persons_draw(rng, communes, social_workers, social):
    """The persons (not saved yet), each in a commune drawn by population and registered by a
    social worker drawn by distance."""
    commune_list = sorted(communes.values(), key=lambda commune: commune.insee)
    populations = [commune.population for commune in commune_list]
    weights_by_user = {
        user.pk: (weight, social[structure_name])
        for user, (_u, _f, _l, structure_name, weight) in zip(
            social_workers, SOCIAL_WORKERS, strict=True
        )
    }
    persons = []
    for _index in range(PERSON_COUNT):
        commune = rng.choices(commune_list, weights=populations)[0]
        creator = _social_worker_pick(rng, commune, social_workers, weights_by_user)
        persons.append(_person_draw(rng, commune, creator))
    return persons


def _person_draw(rng, commune, creator):
    """One person of `commune`, registered by `creator`: name, contact details, birth year."""
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    phone = (
        f"06 00 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}" if rng.random() < 0.7 else ""
    )
    email = (
        f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{PERSON_EMAIL_DOMAIN}"
        if rng.random() < 0.3
        else ""
    )
    if phone and rng.random() < 0.7:
        channel = ContactChannel.PHONE
    elif email and rng.random() < 0.8:
        channel = ContactChannel.EMAIL
    else:
        channel = ContactChannel.POST
    return Person(
        first_name=first_name,
        last_name=last_name,
        birth_year=int(rng.triangular(1935, 2005, 1952)),
        commune=commune,
        phone=phone,
        email=email,
        preferred_channel=channel,
        structure_id=creator.structure_id,
        created_by=creator,
    )


def _slots_draw(rng, persons, demo_social_worker, today, now):
    """Referral slots (person index, sent_at, inbox): each person gets a first referral, the next
    ones go to persons drawn at random, and the last few, sent these past days by the demo social
    worker to the demo advisor, wait for an answer so both logins have something to do."""
    slots = [(index, _sent_at_pick(rng, today, now), False) for index in range(PERSON_COUNT)]
    slots += [
        (rng.randrange(PERSON_COUNT), _sent_at_pick(rng, today, now), False)
        for _ in range(REFERRAL_COUNT - PERSON_COUNT - INBOX_COUNT)
    ]
    own = [index for index, person in enumerate(persons) if person.created_by == demo_social_worker]
    for index in rng.sample(own, min(INBOX_COUNT, len(own))):
        sent_at = _moment(rng, today - timedelta(days=rng.randint(0, 6)))
        if sent_at >= now:
            sent_at = now - timedelta(minutes=rng.randint(30, 600))
        slots.append((index, sent_at, True))
    return slots


def _persons_save(rng, persons, slots):
    """Saves the persons, each registered shortly before its first referral (or at an earlier
    interview), with the consent recorded then."""
    first_sent = {}
    for index, sent_at, _inbox in slots:
        first_sent[index] = min(sent_at, first_sent.get(index, sent_at))
    for index, person in enumerate(persons):
        person.created_at = first_sent[index] - timedelta(minutes=rng.randint(10, 90))
        if rng.random() < 0.2:  # registered at an earlier interview
            person.created_at -= timedelta(days=rng.randint(1, 30))
    _bulk_create_with_pks(Person, persons)
    Consent.objects.bulk_create(
        [
            Consent(
                person=person,
                share_identity=True,
                share_assessment=rng.random() < 0.85,
                method=rng.choices([Consent.Method.ORAL, Consent.Method.SIGNED], weights=[70, 30])[
                    0
                ],
                recorded_by=person.created_by,
                recorded_at=person.created_at,
            )
            for person in persons
        ]
    )


def _slot_referrals(rng, slots, persons, advisors, ranking_cache, codes, now):
    """(referrals, their histories) of the slots, in the order they were sent."""
    demo_advisor = advisors[0]
    # A full advisor declines (as one does): each keeps room for the referrals waiting on the
    # board and for a new one, so the demo's suggestions do not depend on the day it is loaded.
    capacity = dict(
        Advisor.objects.filter(pk__in=[info.advisor.pk for info in advisors]).values_list(
            "pk", "capacity"
        )
    )
    room = len(BOARD_WAITING_WORKING_DAYS) + 1
    open_load = Counter()
    referrals, timelines = [], []
    for person_index, sent_at, inbox in sorted(slots, key=lambda slot: slot[1]):
        person = persons[person_index]
        if inbox:
            needs = [Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS][: rng.randint(1, 2)]
            info, was_suggested, rank, distance = _advisor_rank(
                person.commune, needs, advisors, ranking_cache, demo_advisor
            )
            state = ReferralState.SENT
        else:
            needs = _needs_pick(rng)
            info, was_suggested, rank, distance = _advisor_pick(
                rng, person.commune, needs, advisors, ranking_cache
            )
            state = _state_pick(rng, (now - sent_at).total_seconds() / 86400)
        full = (
            not inbox
            and state in OPEN_STATES
            and open_load[info.advisor.pk] >= capacity[info.advisor.pk] - room
        )
        if full:
            state = ReferralState.DECLINED
        if state in OPEN_STATES:
            open_load[info.advisor.pk] += 1
        referral = _referral_new(person, info, needs, state, was_suggested, rank, sent_at, codes)
        referrals.append(referral)
        timelines.append(_history_draw(rng, referral, full, distance, now))
    return referrals, timelines


def _referral_new(person, info, needs, state, was_suggested, rank, sent_at, codes):
    """A referral (not saved) from the person's social worker to the advisor of `info`, with a
    code of its own among `codes`."""
    code = referral_code_new(person.commune.department)
    while code in codes:  # a collision: draw another
        code = referral_code_new(person.commune.department)
    codes.add(code)
    return Referral(
        code=code,
        person=person,
        referring_structure_id=person.structure_id,
        referrer=person.created_by,
        advisor=info.advisor,
        needs=[service.value for service in Service if service in needs],
        state=state,
        was_suggested=was_suggested,
        suggested_rank=rank,
        sent_at=sent_at,
    )


def _history_draw(rng, referral, full, distance, now):
    """The referral's events (actor, at, from state, to state, reason) from its sending to its
    state; sets its answer's date and decline reason. `full`: declined for want of room."""
    sent_at, state, referrer = referral.sent_at, referral.state, referral.referrer
    events = [(referrer, sent_at, "", ReferralState.SENT, "")]
    if state in (
        ReferralState.ACCEPTED,
        ReferralState.IN_PROGRESS,
        ReferralState.COMPLETED,
        ReferralState.FAILED,
    ):
        referral.answered_at = _later(rng, sent_at, 10, now)
        events += _accepted_history(rng, referral, now)
    elif state == ReferralState.DECLINED:
        referral.answered_at = _later(rng, sent_at, 10, now)
        referral.decline_reason = (
            DeclineReason.NO_CAPACITY if full else _decline_reason_pick(rng, distance)
        )
        if referral.decline_reason == DeclineReason.OTHER:
            referral.decline_detail = rng.choice(DECLINE_DETAILS)
        events.append(
            (
                referral.advisor.user,
                referral.answered_at,
                ReferralState.SENT,
                state,
                referral.get_decline_reason_display(),
            )
        )
    elif state == ReferralState.EXPIRED:
        expiry_day = timezone.localtime(sent_at).date() + timedelta(days=EXPIRY_DAYS)
        expired_at = timezone.make_aware(datetime.combine(expiry_day, time(6, 0)))
        events.append((None, expired_at, ReferralState.SENT, state, "Sans réponse sous 15 jours"))
    elif state == ReferralState.CANCELLED:
        cancelled_at = _later(rng, sent_at, 5, now)
        events.append(
            (referrer, cancelled_at, ReferralState.SENT, state, rng.choice(CANCEL_REASONS))
        )
    return events


def _accepted_history(rng, referral, now):
    """The events of an accepted referral from its acceptance on: under way, then completed, or
    failed."""
    advisor_user, state = referral.advisor.user, referral.state
    events = [(advisor_user, referral.answered_at, ReferralState.SENT, ReferralState.ACCEPTED, "")]
    if state in (ReferralState.IN_PROGRESS, ReferralState.COMPLETED):
        started = _later(rng, referral.answered_at, 14, now)
        events.append(
            (advisor_user, started, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, "")
        )
        if state == ReferralState.COMPLETED:
            done = _later(rng, started, 45, now)
            events.append((advisor_user, done, ReferralState.IN_PROGRESS, state, ""))
    elif state == ReferralState.FAILED:
        failed_at = _later(rng, referral.answered_at, 30, now)
        reason = rng.choice(FAILURE_REASONS)
        events.append((advisor_user, failed_at, ReferralState.ACCEPTED, state, reason))
    return events


def _referrals_save(referrals, timelines):
    """Checks each history against the one transition table, then writes the referrals and
    their events."""
    for referral, events in zip(referrals, timelines, strict=True):
        timeline_check(referral, events)  # the one transition table: no impossible history
    Referral.objects.bulk_create(referrals, batch_size=500)
    pk_by_code = dict(
        Referral.objects.filter(code__in=[r.code for r in referrals]).values_list("code", "pk")
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(
                referral_id=pk_by_code[referral.code],
                actor=actor,
                at=at,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                kind=kind[0] if kind else EventKind.TRANSITION,
            )
            for referral, events in zip(referrals, timelines, strict=True)
            for actor, at, from_state, to_state, reason, *kind in events
        ],
        batch_size=500,
    )


def _working_days_before(day, count):
    """The working day `count` working days before `day`."""
    while count > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def _board_referrals(persons, advisors, ranking_cache, codes, demo_social_worker, today, now):
    """[(referral, events)]: referrals waiting `BOARD_WAITING_WORKING_DAYS` working days for an
    answer, from other structures than the demo social worker's (a draw of their own, so that
    the rest of the demo stays the same)."""
    rng = random.Random(4646)
    made = []
    for waiting in BOARD_WAITING_WORKING_DAYS:
        sent_at = _moment(rng, _working_days_before(today, waiting))
        candidates = [
            person
            for person in persons
            if person.created_by != demo_social_worker
            and person.created_at < sent_at - timedelta(hours=1)
        ]
        person = rng.choice(candidates)
        needs = _needs_pick(rng)
        info, was_suggested, rank, _distance = _advisor_pick(
            rng, person.commune, needs, advisors, ranking_cache
        )
        referral = _referral_new(
            person, info, needs, ReferralState.SENT, was_suggested, rank, sent_at, codes
        )
        made.append((referral, [(person.created_by, sent_at, "", ReferralState.SENT, "")]))
    return made


def _deadlines_record(referrals, timelines, today, now):
    """The reminders, escalations and first-meeting reminders the deadline sweep
    (`referrals.services.referral_deadlines_apply`, run hourly by beat) would have recorded on
    the working days they fell due, with their events (and, like the rest of the demo's past,
    no notification). A referral past its expiry is left escalated: the sweep run at start-up
    (`load_demo --apply-deadlines`, as `run.py` does) expires it and tells the social worker."""
    days = settings.PASIP_DEADLINES

    def due(start, count, after):
        moment = timezone.make_aware(datetime.combine(add_working_days(start, count), time(7)))
        return max(min(moment, now - timedelta(minutes=1)), after + timedelta(minutes=1))

    for referral, events in zip(referrals, timelines, strict=True):
        if referral.state == ReferralState.SENT:
            sent_day = timezone.localtime(referral.sent_at).date()
            elapsed = working_days_between(sent_day, today)
            if elapsed >= days["reminder"]:
                referral.reminded_at = due(sent_day, days["reminder"], referral.sent_at)
                events.append(
                    (None, referral.reminded_at, referral.state, referral.state, "")
                    + (EventKind.REMINDER,)
                )
            if elapsed >= days["escalation"]:
                referral.escalated_at = due(sent_day, days["escalation"], referral.reminded_at)
                events.append(
                    (None, referral.escalated_at, referral.state, referral.state, "")
                    + (EventKind.ESCALATION,)
                )
        elif referral.state == ReferralState.ACCEPTED:
            accepted_day = timezone.localtime(referral.answered_at).date()
            if working_days_between(accepted_day, today) >= days["first_meeting"]:
                referral.meeting_reminded_at = due(
                    accepted_day, days["first_meeting"], referral.answered_at
                )
                events.append(
                    (None, referral.meeting_reminded_at, referral.state, referral.state, "")
                    + (EventKind.MEETING_REMINDER,)
                )


# How closed referrals ended, as advisors record it (`referrals.services.OUTCOMES`).
COMPLETED_OUTCOMES = [
    (Outcome.SATISFIED, 60),
    (Outcome.PARTIALLY, 25),
    (Outcome.REFERRED_ELSEWHERE, 10),
    (Outcome.NOT_SATISFIED, 5),
]
FAILURE_OUTCOMES = {FAILURE_REASONS[0]: Outcome.NO_SHOW}  # the others: unreachable


def _closures_record(referrals, timelines):
    """The dates and outcome each referral's timeline implies, as the services record them:
    the first meeting when it went under way, the closure of a declined, expired, cancelled,
    completed or failed one, and a completed or failed one's outcome (drawn apart from the
    rest of the demo, which stays the same)."""
    rng = random.Random(46)
    outcomes, weights = zip(*COMPLETED_OUTCOMES, strict=True)
    for referral, events in zip(referrals, timelines, strict=True):
        for _actor, at, _from_state, to_state, reason in events:
            if to_state == ReferralState.IN_PROGRESS:
                referral.first_meeting_at = at
            elif to_state in CLOSED_STATES:
                referral.closed_at = at
                if to_state == ReferralState.COMPLETED:
                    referral.outcome = rng.choices(outcomes, weights)[0]
                elif to_state == ReferralState.FAILED:
                    referral.outcome = FAILURE_OUTCOMES.get(reason, Outcome.UNREACHABLE)


CLOSED_STATES = (
    ReferralState.DECLINED,
    ReferralState.EXPIRED,
    ReferralState.CANCELLED,
    ReferralState.COMPLETED,
    ReferralState.FAILED,
)


def _assessments_attach(rng, referrals, now):
    """Each referral's assessment, validated minutes before it was sent and showing its needs
    (answers drawn, profile computed by the real function); attached, so frozen as after a real
    sending. Half the referrals sent before the assessment came into use have none."""
    version = QuestionnaireVersion.current() or questionnaire_load_file()
    since = now - timedelta(days=ASSESSMENT_SINCE_DAYS)
    assessments = []
    for referral in referrals:
        if referral.sent_at < since and rng.random() < 0.5:
            continue
        validated_at = referral.sent_at - timedelta(minutes=rng.randint(2, 8))
        started_at = max(
            validated_at - timedelta(minutes=rng.randint(6, 15)),
            referral.person.created_at + timedelta(minutes=1),
        )
        referral.assessment = demo_assessment(
            rng,
            version=version,
            person=referral.person,
            created_by=referral.referrer,
            needs=referral.needs,
            started_at=started_at,
            validated_at=validated_at,
        )
        assessments.append(referral.assessment)
    _bulk_create_with_pks(Assessment, assessments)


def _bulk_create_with_pks(model, objects):
    """bulk_create where the database returns the new keys; one save per row elsewhere."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=500)
    else:
        for obj in objects:
            obj.save()
