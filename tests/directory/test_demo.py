import json
from collections import Counter
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from assessments.models import Assessment, QuestionnaireVersion
from assessments.profile import needs_profile_compute
from directory.enums import Service, StructureKind
from directory.models import Absence, Advisor, Permanence, Place, Structure
from directory.opening_hours import opening_hours_errors
from matching.engine import advisors_suggest
from notifications.models import Notification
from people.models import Consent, Person
from referrals.models import DeclineReason, Referral, ReferralEvent, ReferralState
from stats.services import stats_refresh

DEMO_DOMAIN = "@demo.pasip.invalid"
ROLE_LOGINS = {
    "travailleur.social": Role.SOCIAL_WORKER,
    "conseiller": Role.ADVISOR,
    "coordination": Role.COORDINATOR,
    "pilotage": Role.OFFICER,
    "admin": Role.ADMINISTRATOR,
}


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Structure,
            Place,
            User,
            Advisor,
            Permanence,
            Absence,
            Advisor.home_visit_communes.through,
            Person,
            Consent,
            Referral,
            ReferralEvent,
            Notification,
            Assessment,
        )
    }


@pytest.mark.django_db
def test_load_demo_creates_the_directory_and_one_login_per_role(settings):
    output = load_demo()

    advisors = Advisor.objects.select_related("user", "structure")
    assert advisors.count() == 23
    mediation = Structure.objects.filter(kind=StructureKind.MEDIATION)
    assert 10 <= mediation.count() <= 14
    assert all(advisor.structure.kind == StructureKind.MEDIATION for advisor in advisors)
    assert all(advisor.user.role == Role.ADVISOR for advisor in advisors)
    assert all(advisor.user.structure_id == advisor.structure_id for advisor in advisors)
    assert all(1 <= advisor.places.count() <= 2 for advisor in advisors)
    assert all(1 <= advisor.permanences.count() <= 3 for advisor in advisors)
    assert all(2 <= len(advisor.themes) <= 6 for advisor in advisors)
    for service in Service:
        assert sum(service.value in advisor.themes for advisor in advisors) >= 3, service
    for core in (Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS):
        assert sum(core.value in advisor.themes for advisor in advisors) > 23 / 2
    assert Structure.objects.filter(kind=StructureKind.SOCIAL, typology="MDS").count() == 6

    for username, role in ROLE_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(settings.PASIP_DEMO_PASSWORD)
        assert username in output
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="travailleur.social").structure.name == (
        "Maison des solidarités départementales de Cahors"
    )
    conseiller = Advisor.objects.get(user__username="conseiller")
    assert conseiller.structure.commune.insee == "46042"
    assert conseiller.covers([Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS])
    assert User.objects.get(username="pilotage").structure.name == "Conseil départemental du Lot"
    assert User.objects.get(username="coordination").structure.name == "Lot Numérique"
    social_workers = User.objects.filter(role=Role.SOCIAL_WORKER)
    assert social_workers.count() >= 8
    demo_users = User.objects.filter(email__endswith=DEMO_DOMAIN)
    assert demo_users.count() == User.objects.count()
    assert not demo_users.filter(first_name="").exists()
    assert not demo_users.filter(last_name="").exists()
    assert settings.PASIP_DEMO_PASSWORD in output


@pytest.mark.django_db
def test_load_demo_fills_the_directory_details_the_matching_reads():
    load_demo()

    advisors = list(Advisor.objects.all())
    places = list(Place.objects.all())
    assert all(
        place.opening_hours and not opening_hours_errors(place.opening_hours) for place in places
    )
    assert 0.5 < sum(place.is_accessible for place in places) / len(places) < 1
    assert all(advisor.support_formats and advisor.languages for advisor in advisors)
    assert 3 <= sum(advisor.home_visit_communes.exists() for advisor in advisors) <= 15
    assert 3 <= sum(advisor.remote_phone for advisor in advisors) <= 20
    assert Advisor.objects.get(user__username="conseiller").aidants_connect
    assert Absence.objects.count() == 2
    assert not Absence.objects.filter(advisor__user__username="conseiller").exists()
    cahors = Structure.objects.get(name="Maison des solidarités départementales de Cahors")
    ranking = advisors_suggest(needs=[Service.ADMIN_PROCEDURES.value], commune=cahors.commune)
    conseiller = next(s for s in ranking if s.advisor.user.username == "conseiller")
    assert conseiller.explanation.startswith("0 km — permanence à Cahors le ")
    assert len(ranking) >= 10 and ranking.why_not


@pytest.mark.django_db
def test_load_demo_creates_a_year_of_referrals_in_varied_states():
    load_demo()

    referrals = Referral.objects.select_related("advisor", "person__commune")
    assert 250 <= referrals.count() <= 450
    states = set(referrals.values_list("state", flat=True))
    assert len(states) >= 6
    assert ReferralState.SENT in states and ReferralState.ACCEPTED in states
    assert len(set(referrals.values_list("referring_structure", flat=True))) >= 6
    assert len(set(referrals.values_list("code", flat=True))) == referrals.count()

    answered = {
        ReferralState.ACCEPTED,
        ReferralState.DECLINED,
        ReferralState.IN_PROGRESS,
        ReferralState.COMPLETED,
        ReferralState.FAILED,
    }
    for referral in referrals:
        assert 1 <= len(referral.needs) <= 3
        assert referral.advisor.covers(referral.needs)
        assert referral.referring_structure_id == referral.person.structure_id
        assert (referral.answered_at is not None) == (referral.state in answered)
        if referral.answered_at:
            assert referral.sent_at < referral.answered_at
            assert (referral.answered_at - referral.sent_at).days <= 10
        if referral.state == ReferralState.DECLINED:
            assert referral.decline_reason in DeclineReason.values
        if referral.was_suggested:
            assert referral.suggested_rank in (1, 2, 3)
        events = list(referral.events.all())
        assert events[0].to_state == ReferralState.SENT and events[0].at == referral.sent_at
        assert events[-1].to_state == referral.state
        assert [event.at for event in events] == sorted(event.at for event in events)

    assert referrals.filter(was_suggested=True).count() > referrals.count() / 2
    inbox = referrals.filter(
        advisor__user__username="conseiller",
        referrer__username="travailleur.social",
        state=ReferralState.SENT,
    )
    assert inbox.count() >= 3
    span = referrals.order_by("sent_at").first().sent_at, referrals.first().sent_at
    assert (span[1] - span[0]).days > 300

    persons = Person.objects.all()
    assert 200 <= persons.count() <= 300
    assert not persons.exclude(commune__department__code="46").exists()
    assert all(person.active_consent.share_identity for person in persons)


@pytest.mark.django_db
def test_load_demo_sends_most_referrals_with_a_validated_assessment():
    load_demo()

    referrals = Referral.objects.select_related("assessment__version", "person")
    assessed = [referral for referral in referrals if referral.assessment_id]
    assert len(assessed) > 0.85 * referrals.count()
    current = QuestionnaireVersion.current()
    for referral in assessed:
        assessment = referral.assessment
        assert assessment.is_validated and assessment.version == current
        assert assessment.person == referral.person
        assert referral.person.created_at < assessment.created_at < assessment.validated_at
        assert assessment.validated_at < referral.sent_at
        day = timezone.localdate(assessment.validated_at)
        questionnaire = current.questionnaire
        cleaned, errors = questionnaire.check(
            assessment.answers,
            complete_areas=[area["key"] for area in questionnaire.areas],
            today=day,
        )
        assert not errors and cleaned == assessment.answers
        # The profile is the real function's, from the answers, on the day it was validated.
        profile = needs_profile_compute(current.definition, assessment.answers, on=day)
        assert assessment.needs_profile == profile
        assert set(referral.needs) <= set(profile.categories)

    assessments = [referral.assessment for referral in assessed]
    modes = Counter(assessment.profile["support_mode"] for assessment in assessments)
    assert set(modes) == {"faire_pour", "faire_avec", "apprendre"}
    assert min(modes.values()) > len(assessments) / 10
    assert 0.05 < sum(a.profile["urgent"] for a in assessments) / len(assessments) < 0.3
    distinct = {json.dumps(a.answers, sort_keys=True) for a in assessments}
    assert len(distinct) == len(assessments)
    waiting = referrals.filter(advisor__user__username="conseiller", state=ReferralState.SENT)
    assert not waiting.filter(assessment=None).exists()

    stats_refresh()  # the statistics' support modes are no longer all "Non renseigné"
    officer = APIClient()
    officer.force_authenticate(User.objects.get(username="pilotage"))
    table = officer.get("/api/v1/stats/accompagnement/").json()
    counts = {row["label"]: row["cells"][-1]["value"] for row in table["rows"]}
    assert counts["Non renseigné"] < referrals.count() - len(assessed) + 1
    for mode in ("Faire pour la personne", "Faire avec la personne", "Apprendre à faire"):
        assert counts[mode] > 20, counts


@pytest.mark.django_db
def test_load_demo_records_meetings_closures_and_outcomes_as_the_services_do():
    from referrals.services import OUTCOMES

    load_demo()
    referrals = Referral.objects.all()
    under_way = referrals.filter(state__in=[ReferralState.IN_PROGRESS, ReferralState.COMPLETED])
    assert under_way and not under_way.filter(first_meeting_at=None).exists()
    closed = [s for s in ReferralState if s not in ("sent", "accepted", "in_progress")]
    assert not referrals.filter(state__in=closed, closed_at=None).exists()
    assert not referrals.exclude(state__in=closed).exclude(closed_at=None).exists()
    for state, kind in ((ReferralState.COMPLETED, "complete"), (ReferralState.FAILED, "fail")):
        outcomes = set(referrals.filter(state=state).values_list("outcome", flat=True))
        assert outcomes and outcomes <= {str(outcome) for outcome in OUTCOMES[kind]}, outcomes
    # The statistics' outcomes and delays to the first meeting and the closure are filled in.
    stats_refresh()
    officer = APIClient()
    officer.force_authenticate(User.objects.get(username="pilotage"))
    outcomes = officer.get("/api/v1/stats/issues/").json()
    assert outcomes["rows"][-1]["cells"][0]["value"] > 20
    delays = officer.get("/api/v1/stats/delais/").json()
    assert all(row["cells"][1]["value"] for row in delays["rows"]), delays["rows"]


@pytest.mark.django_db
def test_load_demo_twice_changes_no_count_and_never_notifies():
    load_demo()
    before = counts()
    output = load_demo()

    assert counts() == before
    assert "existaient déjà" in output
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_load_demo_refuses_without_the_demo_password_setting(settings):
    del settings.PASIP_DEMO_PASSWORD

    with pytest.raises(CommandError, match="PASIP_DEMO_PASSWORD"):
        load_demo()
    assert not User.objects.filter(username="admin").exists()


def board_sections(client):
    """The coordinator's board page as `coordination` sees it: {group code: its count}."""
    import re

    from referrals.selectors import BoardGroup

    client.force_login(User.objects.get(username="coordination"))
    html = client.get("/coordination/").content.decode()
    counts = dict(re.findall(r"<li>([^<:]+?) : <strong>(\d+)</strong></li>", html))
    return {
        code: int(counts[str(BoardGroup.LABELS[group])]) for group, code in BoardGroup.CODES.items()
        if str(BoardGroup.LABELS[group]) in counts
    }  # fmt: skip


@pytest.mark.django_db
def test_load_demo_shows_escalated_and_stalled_referrals_on_the_coordinator_board(client):
    from referrals.models import EventKind

    load_demo()

    rows = board_sections(client)
    assert rows["escalated"] >= 1 and rows["stalled"] >= 1, rows
    waiting = Referral.objects.filter(state=ReferralState.SENT)
    escalated = waiting.exclude(escalated_at=None)
    reminded = waiting.exclude(reminded_at=None).filter(escalated_at=None)
    assert escalated.count() >= 2 and reminded.count() >= 1
    # Recorded as the deadline sweep records them: markers, events in order, no notification.
    for referral in [*escalated, *reminded]:
        kinds = [event.kind for event in referral.events.all()]
        assert kinds[0] == EventKind.TRANSITION and EventKind.REMINDER in kinds
        assert (EventKind.ESCALATION in kinds) == (referral.escalated_at is not None)
        assert referral.sent_at < referral.reminded_at <= (referral.escalated_at or timezone.now())
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_load_demo_apply_deadlines_runs_the_sweep_once_and_idempotently(client):
    from referrals.services import referral_deadlines_apply

    output = StringIO()
    call_command("load_demo", "--apply-deadlines", stdout=output)

    assert "Échéances appliquées" in output.getvalue()
    # Whatever fell due was done: the sweep run again finds nothing, and so does the command.
    assert referral_deadlines_apply() == {
        "reminder": 0,
        "escalation": 0,
        "expiry": 0,
        "meeting_reminder": 0,
    }
    before = counts()
    call_command("load_demo", "--apply-deadlines", stdout=StringIO())
    assert counts() == before
    rows = board_sections(client)
    assert rows["escalated"] >= 1 and rows["stalled"] >= 1, rows


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2026-12-04T23:20", "2026-12-05T07:15", "2027-03-01T10:00"])
def test_load_demo_never_leaves_an_advisor_full_whatever_the_day(day):
    # The demo's states depend on the day it is loaded; a full advisor is never suggested, so
    # one filled by the draw would vanish from the suggestions on some days and not others.
    with time_machine.travel(timezone.make_aware(datetime.fromisoformat(day)), tick=False):
        load_demo()

    for advisor in Advisor.objects.all():
        open_referrals = Referral.objects.filter(advisor=advisor).open().count()
        assert open_referrals < advisor.capacity, advisor.pk
    declined_full = Referral.objects.filter(decline_reason=DeclineReason.NO_CAPACITY)
    assert declined_full.exists()
