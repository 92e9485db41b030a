"""Hostile input: the statistics filters and pages (see tests/security/hostile.py)."""

import json

import pytest
from django.urls import reverse

from tests.factories import (
    UserFactory,
)
from tests.security.hostile import (
    ATTRIBUTE,
    LONG,
    NUL,
    SCRIPT,
    SQL,
    api,
    assert_escaped,
    assert_refused_in_french,
    french,
    page_errors,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"du": SCRIPT, "au": ATTRIBUTE},
        {"du": "2026-13", "au": "0000-00"},
        {"du": "9999999-01"},
        {"du": "2026-05", "au": "2026-01"},
        {"annee": SCRIPT},
        {"annee": "9999999", "epci": "200067361", "type": "CCAS"},
        {"annee": NUL},
        {"epci": SQL, "type": SCRIPT, "besoin": ATTRIBUTE},
        {"epci": "9" * 30},
        {"du": NUL, "besoin": "\x1b"},
        {"page": "-1", "tout": LONG},
    ],
    ids=lambda query: json.dumps(query)[:30],
)
def test_statistics_filters_survive_junk(client, query):
    officer = UserFactory(officer=True)
    client.force_login(officer)
    home = client.get(reverse("stats_home"), query)
    assert home.status_code == 200
    assert_escaped(home.content.decode(), SCRIPT)
    assert_escaped(home.content.decode(), ATTRIBUTE)
    for error in page_errors(home):
        french(error)
    tables = client.get("/api/v1/stats/").json()["tables"]
    slugs = [table["slug"] for table in tables if table["slug"] != "territoire"]
    assert slugs
    for name in slugs[:3]:
        page = client.get(reverse("stats_indicator", args=[name]), query)
        assert page.status_code == 200
        assert_escaped(page.content.decode(), SCRIPT)
        exported = client.get(reverse("stats_csv", args=[name]), query)
        assert exported.status_code == 200
        table = api(officer).get(f"/api/v1/stats/{name}/", query)
        assert table.status_code in (200, 400)
        if table.status_code == 400:
            assert_refused_in_french(table)


@pytest.mark.parametrize("slug", [SQL.replace(" ", "-"), "x" * 500, "inconnu"])
def test_an_unknown_statistic_is_a_404(client, slug):
    client.force_login(UserFactory(officer=True))
    assert client.get(f"/statistiques/{slug}/").status_code == 404
    assert client.get(f"/api/v1/stats/{slug}/").status_code == 404
