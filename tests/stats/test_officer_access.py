"""The département officer reaches aggregates only: every URL of the project, walked."""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.models import Assessment
from directory.enums import Service
from directory.models import UnmetNeed
from referrals.models import DeclineReason, ReferralState
from stats.selectors import INDICATORS
from tests.factories import PersonFactory, ReferralFactory, UserFactory, commune

pytestmark = pytest.mark.django_db

PERSONS = [
    ("Philomène", "Escoubiac", 1937, "06 48 27 19 55", "philomene.escoubiac@exemple.invalid"),
    ("Aurélien", "Vayssouze", 1983, "07 61 38 42 90", "a.vayssouze@exemple.invalid"),
    ("Maëlys", "Cournil", 2004, "05 65 92 17 36", "maelys.cournil@exemple.invalid"),
]
# The officer's pages: the statistics, the API's own pages, and what any signed-in user has.
REACHABLE = {
    "stats_home",
    "stats_indicator",
    "stats_csv",
    "stats-index",
    "stats-table",
    "api-root",
    "api-schema",
    "api-docs",
    "login",
    "notification_list",
    "notification_preferences",
    "notification-preferences",
    "second_factor_setup",
    "notification-list",
    "notification-unread-count",
    "commune-list",  # the territory's public reference data
    # The footer's public pages (legal notice, privacy, accessibility, help): no data at all.
    "legal_notice",
    "privacy",
    "accessibility",
    "help",
    # The orchestrator's health checks: "ok", or which service is not ready; no data.
    "healthz",
    "readyz",
    # Revoking one's own API token.
    "api-token-revoke",
}


def _patterns(resolvers, prefix="", name_prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # walked through its registry below
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def _urls(values):
    """Every route, its parameters filled with each id or slug the test data holds."""
    for route, name in _patterns(get_resolver().url_patterns):
        if "(?P<format>" in route:
            continue  # the same views with a format suffix
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)  # router regexes
        route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("/?", "/")
        parameters = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        urls = [route]
        for converter, parameter in parameters:
            options = values["slug"] if converter in ("slug", "str") else values["int"]
            pattern = f"<{converter + ':' if converter else ''}{parameter}>"
            urls = [url.replace(pattern, str(option), 1) for url in urls for option in options]
        for url in urls:
            yield "/" + url, name


@pytest.fixture
def persons():
    created = []
    for index, (first, last, year, phone, email) in enumerate(PERSONS):
        person = PersonFactory(
            first_name=first, last_name=last, birth_year=year, phone=phone, email=email
        )
        assessment = Assessment.objects.create(
            person=person, created_by=person.created_by, profile={"support_mode": "faire_avec"}
        )
        for state in (ReferralState.SENT, ReferralState.DECLINED, ReferralState.COMPLETED):
            ReferralFactory(
                person=person,
                state=state,
                assessment=assessment,
                decline_reason=DeclineReason.NO_CAPACITY if state == "declined" else "",
                code=f"LOT-{index}{state[:3].upper()}",
            )
        UnmetNeed.objects.create(
            commune=commune("46128"),
            category=Service.EQUIPMENT_PURCHASE,
            month=timezone.localdate().replace(day=1),
            person=person,
        )
        created.append(person)
    return created


def _personal_data(persons):
    for person in persons:
        yield person.first_name
        yield person.last_name
        yield person.phone
        yield person.phone.replace(" ", "")
        yield person.email
        yield str(person.birth_year)
    yield from ("LOT-0SEN", "LOT-1DEC", "LOT-2COM")


def test_the_officer_sees_aggregates_everywhere_and_nothing_else(client, persons):
    officer = UserFactory(officer=True)
    client.force_login(officer)
    ids = {1, officer.pk}
    for person in persons:
        ids |= {person.pk, person.structure_id, person.created_by_id}
        ids |= set(person.referrals.values_list("pk", flat=True))
        ids |= set(person.assessments.values_list("pk", flat=True))
    values = {"int": sorted(ids), "slug": [*INDICATORS, "x"]}
    secrets = list(_personal_data(persons))
    reached, refused = set(), set()
    for url, name in _urls(values):
        if name in ("logout", "oidc_authentication_callback"):
            continue
        response = client.get(url)
        body = response.content.decode("utf-8", errors="ignore")
        for secret in secrets:
            assert not re.search(rf"\b{re.escape(secret)}\b", body), (url, secret)
        if response.status_code == 200:
            reached.add(name)
        else:
            assert response.status_code in (302, 400, 403, 404, 405), (url, response.status_code)
            if response.status_code == 302:
                assert response.url.startswith(("/connexion", reverse("stats_home"))), url
            refused.add(name)
    assert reached <= REACHABLE, reached - REACHABLE
    assert {"stats_home", "stats_indicator", "stats_csv", "stats-table"} <= reached
    assert {"person_list", "referral_list", "referral_detail"} <= refused


def test_the_officer_is_turned_away_from_the_admin(client, persons):
    client.force_login(UserFactory(officer=True))
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, url


def test_roles_without_statistics_are_refused_pages_csv_and_api(client):
    for user in (UserFactory(), UserFactory(advisor=True)):
        client.force_login(user)
        assert client.get(reverse("stats_home")).status_code == 403
        assert client.get(reverse("stats_indicator", args=["mois"])).status_code == 403
        assert client.get(reverse("stats_csv", args=["mois"])).status_code == 403
        response = client.get("/api/v1/stats/mois/")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_coordinator_sees_the_same_statistics(client, persons):
    client.force_login(UserFactory(officer=True))
    officer_page = client.get(reverse("stats_indicator", args=["epci"])).content
    client.force_login(UserFactory(coordinator=True))
    coordinator_page = client.get(reverse("stats_indicator", args=["epci"]))
    assert coordinator_page.status_code == 200
    table = re.compile(rb"<table.*</table>", re.S)
    assert table.search(coordinator_page.content).group() == table.search(officer_page).group()
