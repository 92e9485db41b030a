"""The year's tables protected together, and filters that publish nothing new.

A count shown in two tables (a state's total in the months' and the types' tables, an EPCI's
total in the communes' table) is one count; what one table hides, another must not give back,
nor the rules every referral follows (a failed referral has one of two outcomes). The attacker
here is `tests/stats/exact.py`: exact linear algebra over every published cell of the year.
"""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from directory.enums import Service
from referrals.models import Outcome, ReferralState
from stats.builders import INDICATORS, Ledger, Year, year_ledger
from stats.disclosure import Status, grid_lines, protect
from stats.services import stats_refresh
from tests.factories import PersonFactory, ReferralFactory, StructureFactory, UserFactory, commune
from tests.stats.exact import determined

THRESHOLD = 11
PARIS = ZoneInfo("Europe/Paris")


def two_tables(cube):
    """From counts cube[s][r][c]: the table rows r × columns c and the table rows s × columns c,
    each with its totals, sharing their row of column totals: [(names, grid)]."""
    slices, rows, columns = len(cube), len(cube[0]), len(cube[0][0])
    inner = {
        "r": [
            [sum(cube[s][r][c] for s in range(slices)) for c in range(columns)] for r in range(rows)
        ],
        "s": [
            [sum(cube[s][r][c] for r in range(rows)) for c in range(columns)] for s in range(slices)
        ],
    }
    tables = []
    for side, grid in inner.items():
        grid = [[*row, sum(row)] for row in grid]
        grid.append([sum(column) for column in zip(*grid, strict=True)])
        names = [
            [(side, i, j) if i < len(grid) - 1 else ("total", j) for j in range(columns + 1)]
            for i in range(len(grid))
        ]
        tables.append((names, grid))
    return tables


def lines_of(tables):
    lines = []
    for names, grid in tables:
        n_rows, n_columns = len(grid), len(grid[0])
        for (wr, wc), parts in grid_lines(n_rows, n_columns, row_totals=True, column_totals=True):
            lines.append((names[wr][wc], [names[r][c] for r, c in parts]))
    return lines


def leaks(values, lines, status):
    """Counts from 1 to 10 published, or hidden yet determined by the published cells."""
    hidden = [key for key, state in status.items() if state != Status.PUBLISHED]
    shown_small = [
        key
        for key, state in status.items()
        if state == Status.PUBLISHED and 0 < values[key] < THRESHOLD
    ]
    worked_out = [key for key in determined(lines, hidden) if 0 < values[key] < THRESHOLD]
    return shown_small + worked_out


def linked(tables):
    ledger = Ledger()
    for names, grid in tables:
        ledger.add_grid(names, grid, row_totals=True, column_totals=True)
    ledger.protect()
    return ledger


def test_a_count_hidden_in_one_table_is_not_given_back_by_a_total_the_other_publishes():
    # Found by a search over random cubes: two tables sharing their column totals.
    cube = [[[12, 5], [8, 8]], [[5, 0], [0, 0]]]
    tables = two_tables(cube)
    values = {names[r][c]: grid[r][c] for names, grid in tables for r, c in _cells(grid)}
    # Each table protected on its own: a cell published by either is known.
    published = set()
    for names, grid in tables:
        statuses = protect(grid, threshold=THRESHOLD, row_totals=True, column_totals=True)
        published |= {names[r][c] for r, c in _cells(grid) if statuses[r][c] == Status.PUBLISHED}
    alone = {key: Status.PUBLISHED if key in published else Status.PRIMARY for key in values}
    assert leaks(values, lines_of(tables), alone) == [("s", 1, 0), ("s", 1, 2)]
    # Protected together: the same count has one status, and nothing can be worked out.
    ledger = linked(tables)
    assert leaks(values, ledger.protected_lines, ledger.status) == []


def _cells(grid):
    return [(r, c) for r in range(len(grid)) for c in range(len(grid[0]))]


cubes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(
    lambda shape: st.lists(
        st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 3, 5, 8, 10, 12, 20, 40]),
                min_size=shape[2],
                max_size=shape[2],
            ),
            min_size=shape[1],
            max_size=shape[1],
        ),
        min_size=shape[0],
        max_size=shape[0],
    )
)


@settings(max_examples=150, deadline=None)
@given(cubes)
@example([[[12, 5], [8, 8]], [[5, 0], [0, 0]]])
def test_linked_tables_publish_no_small_count_and_none_can_be_worked_out(cube):
    tables = two_tables(cube)
    ledger = linked(tables)
    assert leaks(ledger.values, ledger.protected_lines, ledger.status) == []


def at(day):
    return datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)


@pytest.mark.django_db
def test_an_outcome_is_not_given_back_by_its_state_total():
    # 23 failed referrals in the months' table; by outcome, 20 unreachable and 3 no-shows, and
    # 12 satisfied ones. Alone, the outcomes' table would hide the 3 and the 12 (its smallest
    # complement): 23 failed - 20 unreachable would give the 3 back.
    for outcome, state, n in (
        (Outcome.UNREACHABLE, ReferralState.FAILED, 20),
        (Outcome.NO_SHOW, ReferralState.FAILED, 3),
        (Outcome.SATISFIED, ReferralState.COMPLETED, 12),
    ):
        for _index in range(n):
            ReferralFactory(sent_at=at(date(2025, 3, 3)), state=state, outcome=outcome)
    stats_refresh()
    ledger, tables = year_ledger(Year(commune("46042").department, 2025))
    assert leaks(ledger.values, ledger.protected_lines, ledger.status) == []
    outcomes = {row.label: row.cells[0] for row in tables["issues"].rows}
    failed = tables["mois"].rows[-1].cells[list(ReferralState.values).index("failed")]
    assert outcomes[Outcome.NO_SHOW.label].display == "< 11"
    assert failed.hidden or outcomes[Outcome.UNREACHABLE.label].hidden


@pytest.mark.django_db
def test_the_delays_count_of_answered_referrals_does_not_give_back_the_others():
    # 15 answered, 5 waiting: the year's total 20 published, the 5 hidden, and with them the
    # 15 in progress (their complement). The delay's count of answered referrals, 15, would
    # give both back: it is hidden too, and its median with it.
    for _index in range(15):
        ReferralFactory(
            sent_at=at(date(2025, 3, 3)),
            answered_at=at(date(2025, 3, 5)),
            in_progress=True,
        )
    for _index in range(5):
        ReferralFactory(sent_at=at(date(2025, 3, 3)))
    stats_refresh()
    ledger, tables = year_ledger(Year(commune("46042").department, 2025))
    assert leaks(ledger.values, ledger.protected_lines, ledger.status) == []
    assert tables["mois"].rows[-1].cells[-1].value == 20
    answered = tables["delais"].rows[0]
    assert [cell.display for cell in answered.cells] == ["secret", "secret", "secret"]


@pytest.fixture
def a_year_of_referrals(db):
    """About 150 referrals of 2025 over four EPCIs, three referring types, all states, needs,
    ages and months, drawn with a fixed seed."""
    chance = random.Random(46)
    communes = [commune(insee) for insee in ("46042", "46102", "46127", "46251", "46201")]
    structures = [StructureFactory(typology=t) for t in ("CCAS", "CAF", "MDS")]
    referrers = [UserFactory(structure=structure) for structure in structures]
    states = list(ReferralState)
    for _index in range(150):
        person = PersonFactory(
            commune=chance.choice(communes),
            created_by=chance.choice(referrers),
            birth_year=chance.choice([1940, 1955, 1970, 1990, 2004]),
        )
        state = chance.choice(states)
        extra = {}
        if state == ReferralState.DECLINED:
            extra["decline_reason"] = chance.choice(["no_capacity", "out_of_area", "duplicate"])
        if state in (ReferralState.COMPLETED, ReferralState.FAILED):
            kind = "complete" if state == ReferralState.COMPLETED else "fail"
            extra["outcome"] = chance.choice(
                {"complete": ["satisfied", "partially"], "fail": ["unreachable", "no_show"]}[kind]
            )
        ReferralFactory(
            person=person,
            sent_at=at(date(2025, chance.randint(1, 12), chance.randint(1, 28))),
            state=state,
            needs=chance.sample([s.value for s in Service], chance.randint(1, 3)),
            **extra,
        )
    stats_refresh()
    return commune("46042").department


def test_no_count_of_a_year_can_be_worked_out_from_all_its_tables(a_year_of_referrals):
    ledger, tables = year_ledger(Year(a_year_of_referrals, 2025))
    hidden = [key for key, state in ledger.status.items() if state != Status.PUBLISHED]
    assert hidden and len(hidden) < len(ledger.status)  # something to protect, and published
    assert leaks(ledger.values, ledger.protected_lines, ledger.status) == []
    # One count, one status, in every table that shows it: the year's total…
    totals = [
        tables[slug].rows[-1].cells[-1]
        for slug in ("mois", "epci", "structures", "ages", "accompagnement", "communes")
    ]
    assert len(set(totals)) == 1 and totals[0].value == 150
    # … each state's total in the months' and the types' tables…
    assert tables["mois"].rows[-1].cells == tables["structures"].rows[-1].cells
    # … and each EPCI's total in the EPCIs' and the communes' tables.
    for row in tables["epci"].rows[:-1]:
        group = next(r for r in tables["communes"].rows if r.group and r.key == row.key)
        assert group.cells == [row.cells[-1]]


def test_a_filter_publishes_no_count_the_year_does_not(a_year_of_referrals):
    client = APIClient()
    client.force_authenticate(UserFactory(officer=True))
    epcis = ("200023737", "200067361", "244600482", "200066371", "200039519")
    options = [("epci", code) for code in epcis]
    options += [("type", typology) for typology in ("CCAS", "CAF", "MDS")]
    options += [("besoin", service.value) for service in Service]
    for slug in INDICATORS:
        whole = client.get(f"/api/v1/stats/{slug}/", {"annee": 2025}).json()
        rows = {(row["label"], str(row["cells"])) for row in whole["rows"]}
        for name, value in options:
            response = client.get(f"/api/v1/stats/{slug}/", {"annee": 2025, name: value})
            assert response.status_code == 200, (slug, name, value)
            part = response.json()
            if part["columns"] != whole["columns"]:  # a need's column, with the total
                kept = [whole["columns"].index(column) for column in part["columns"]]
                rows_kept = {
                    (row["label"], str([row["cells"][i] for i in kept])) for row in whole["rows"]
                }
                assert {(r["label"], str(r["cells"])) for r in part["rows"]} <= rows_kept
            else:
                assert {(r["label"], str(r["cells"])) for r in part["rows"]} <= rows, (slug, name)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.lists(st.integers(0, 7), min_size=1, max_size=4)),
        min_size=1,
        max_size=8,
    ),
    st.sets(st.integers(0, 7), min_size=1),
)
def test_the_runtime_check_finds_exactly_the_determined_counts(raw_lines, hidden):
    from stats.disclosure import determined_cells

    lines = [(whole, sorted(set(parts) - {whole})) for whole, parts in raw_lines]
    lines = [(whole, parts) for whole, parts in lines if parts]
    values = dict.fromkeys(range(8), 5)  # every count small: every hidden one is sensitive
    status = {key: Status.PRIMARY if key in hidden else Status.PUBLISHED for key in values}
    assert sorted(determined_cells(values, lines, status, THRESHOLD)) == sorted(
        determined(lines, hidden)
    )


def test_the_worker_publishes_every_year_for_every_process(a_year_of_referrals):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stats.builders import year_tables
    from stats.models import PublishedYear
    from stats.publication import published_year
    from stats.tasks import refresh_statistics

    ReferralFactory(sent_at=at(date(2024, 6, 3)))  # a year before
    refresh_statistics()  # as beat runs it: counts rebuilt, every year published
    assert sorted(PublishedYear.objects.values_list("year", flat=True)) == [2024, 2025]
    stored = PublishedYear.objects.get(year=2025)
    assert stored.language == "fr"
    cache.clear()  # another process: nothing in its memory
    with CaptureQueriesContext(connection) as queries:
        tables = published_year(a_year_of_referrals, 2025)
    assert not any("stats_referralcube" in query["sql"] for query in queries.captured_queries)
    fresh = year_tables(Year(a_year_of_referrals, 2025))
    assert {slug: t.as_json() for slug, t in tables.items()} == {
        slug: t.as_json() for slug, t in fresh.items()
    }
    refresh_statistics()  # the next rebuild replaces them
    assert PublishedYear.objects.get(year=2025).refresh_id != stored.refresh_id
    assert PublishedYear.objects.count() == 2
