"""Disclosure control on crafted tables, then on random tables (hypothesis)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from stats.disclosure import Status, protect, protected_cells

THRESHOLD = 11


def with_totals(inner):
    """The inner grid with a column of row totals and a row of column totals."""
    rows = [[*row, sum(row)] for row in inner]
    return [*rows, [sum(column) for column in zip(*rows, strict=True)]]


def lines_of(grid, row_totals=True, column_totals=True):
    n_rows, n_columns = len(grid), len(grid[0])
    lines = []
    if row_totals and n_columns > 1:
        lines += [
            ((r, n_columns - 1), [(r, c) for c in range(n_columns - 1)]) for r in range(n_rows)
        ]
    if column_totals and n_rows > 1:
        lines += [((n_rows - 1, c), [(r, c) for r in range(n_rows - 1)]) for c in range(n_columns)]
    return lines


def determined_cells(grid, statuses, **kwargs):
    """Hidden cells whose value follows from the published ones (exact linear algebra)."""
    hidden = [
        (r, c)
        for r, row in enumerate(statuses)
        for c, status in enumerate(row)
        if status != Status.PUBLISHED
    ]
    index = {position: i for i, position in enumerate(hidden)}
    equations = []
    for whole, parts in lines_of(grid, **kwargs):
        coefficients = [Fraction(0)] * len(hidden)
        for position, sign in [(whole, -1), *((p, 1) for p in parts)]:
            if position in index:
                coefficients[index[position]] += sign
        if any(coefficients):
            equations.append(coefficients)
    pivots = _row_reduce(equations, len(hidden))
    free = [i for i in range(len(hidden)) if i not in pivots]
    # A null-space vector per free variable; a hidden cell is determined when every one is 0 there.
    moving = set(free)
    for f in free:
        for variable, row in pivots.items():
            if equations[row][f] != 0:
                moving.add(variable)
    return [hidden[i] for i in range(len(hidden)) if i not in moving]


def _row_reduce(matrix, n_columns):
    pivots = {}
    row = 0
    for column in range(n_columns):
        pivot = next((r for r in range(row, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[row], matrix[pivot] = matrix[pivot], matrix[row]
        factor = matrix[row][column]
        matrix[row] = [value / factor for value in matrix[row]]
        for other in range(len(matrix)):
            if other != row and matrix[other][column] != 0:
                ratio = matrix[other][column]
                matrix[other] = [
                    a - ratio * b for a, b in zip(matrix[other], matrix[row], strict=True)
                ]
        pivots[column] = row
        row += 1
    return pivots


def statuses_of(grid, **kwargs):
    kwargs.setdefault("row_totals", True)
    kwargs.setdefault("column_totals", True)
    return protect(grid, threshold=THRESHOLD, **kwargs)


def test_a_small_count_is_shown_as_less_than_eleven_and_zero_is_shown():
    cells = protected_cells(
        with_totals([[4, 30], [0, 25]]), threshold=THRESHOLD, row_totals=True, column_totals=True
    )
    assert cells[0][0].display == "< 11" and cells[0][0].value is None
    assert cells[1][0].display == "0" and cells[1][0].status == Status.PUBLISHED


def test_the_complementary_cell_hides_what_the_totals_would_give_back():
    # Row "Cahors": 4 declined, 30 accepted, total 34. Hiding only the 4 would leave 34 - 30.
    grid = with_totals([[4, 30, 12], [20, 25, 40], [15, 18, 22]])
    statuses = statuses_of(grid)
    assert statuses[0][0] == Status.PRIMARY
    hidden_in_row = [s for s in statuses[0][:3] if s != Status.PUBLISHED]
    hidden_in_column = [row[0] for row in statuses[:3] if row[0] != Status.PUBLISHED]
    assert len(hidden_in_row) >= 2 and len(hidden_in_column) >= 2
    # The row and column totals stay published: the complement is an inner cell.
    assert statuses[0][3] == Status.PUBLISHED and statuses[3][0] == Status.PUBLISHED
    assert determined_cells(grid, statuses) == []


def test_neighbouring_months_do_not_give_back_a_hidden_month():
    # Months as rows, one column, and the period total: hiding March alone would leave
    # total - January - February.
    grid = [[40], [35], [3], [78]]
    statuses = statuses_of(grid, row_totals=False)
    assert statuses[2][0] == Status.PRIMARY
    assert sum(1 for row in statuses[:3] if row[0] != Status.PUBLISHED) == 2
    assert statuses[3][0] == Status.PUBLISHED


def test_two_small_cells_that_add_up_to_their_minimum_are_protected_by_a_third():
    # 1 + 1 hidden with 50 published and a total of 52: both would have to be 1.
    grid = [[1], [1], [50], [52]]
    statuses = statuses_of(grid, row_totals=False)
    assert statuses[2][0] == Status.SECONDARY


def test_a_secondary_cell_equal_to_the_threshold_would_pin_the_primary_so_a_bigger_one_is_used():
    # 1 hidden, then 11 or 30 as complement: with 11 (known to be >= 11) the 1 is pinned.
    grid = [[1], [11], [30], [42]]
    statuses = statuses_of(grid, row_totals=False)
    assert statuses[2][0] == Status.SECONDARY and statuses[1][0] == Status.PUBLISHED


def test_two_hidden_blocks_linked_by_one_cell_are_closed_into_a_cycle():
    # Each line holds two hidden cells, yet a lone cell bridging two blocks would be determined.
    inner = [
        [5, 5, 40, 40],
        [5, 5, 40, 40],
        [40, 40, 5, 5],
        [40, 40, 5, 5],
    ]
    grid = with_totals(inner)
    statuses = statuses_of(grid)
    assert determined_cells(grid, statuses) == []


def test_a_threshold_set_in_settings_applies(settings):
    settings.PASIP_STATS_MIN_COUNT = 5
    from stats.selectors import threshold

    assert threshold() == 5


tables = st.integers(1, 5).flatmap(
    lambda n_columns: st.lists(
        st.lists(
            st.one_of(st.integers(0, 12), st.integers(0, 60)),
            min_size=n_columns,
            max_size=n_columns,
        ),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_small_count_is_published_and_no_hidden_cell_can_be_recomputed(inner):
    grid = with_totals(inner)
    statuses = statuses_of(grid)
    for row, status_row in zip(grid, statuses, strict=True):
        for value, status in zip(row, status_row, strict=True):
            if 0 < value < THRESHOLD:
                assert status == Status.PRIMARY
    for whole, parts in lines_of(grid):
        hidden = [p for p in [whole, *parts] if statuses[p[0]][p[1]] != Status.PUBLISHED]
        assert len(hidden) != 1
    assert determined_cells(grid, statuses) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=12))
def test_a_single_column_with_its_total_hides_nothing_recoverable(counts):
    grid = [[count] for count in counts] + [[sum(counts)]]
    statuses = statuses_of(grid, row_totals=False)
    assert all(
        s == Status.PRIMARY
        for (value,), (s,) in zip(grid, statuses, strict=True)
        if 0 < value < THRESHOLD
    )
    assert determined_cells(grid, statuses, row_totals=False) == []
