"""Disclosure control on crafted tables, then on random tables (hypothesis)."""

from fractions import Fraction

from hypothesis import example, given, settings
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


def test_the_complement_is_the_smallest_count_that_leaves_the_small_one_undetermined():
    # 9 hidden: with 11 hidden too ("secret": 11 or more), 50 - 30 = 20 leaves 9 anywhere
    # from 0 to 9. The 30 stays published.
    grid = [[9], [11], [30], [50]]
    statuses = statuses_of(grid, row_totals=False)
    assert [row[0] for row in statuses] == [
        Status.PRIMARY,
        Status.SECONDARY,
        Status.PUBLISHED,
        Status.PUBLISHED,
    ]


def test_a_table_too_small_to_protect_is_withheld_whole():
    # Everything is near the threshold: whatever is hidden, "< 3" and "secret" (3 or more)
    # would pin a cell. Nothing of the table is published.
    grid = with_totals([[1, 0], [2, 1]])
    statuses = protect(grid, threshold=3, row_totals=True, column_totals=True)
    cells = {status for row in statuses for status in row}
    assert cells <= {Status.PRIMARY, Status.SECONDARY, Status.WITHHELD}


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
    from stats.tables import threshold

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
@example([[10, 10], [10, 10]])  # found by hypothesis: only withholding the table protects it
def test_no_small_count_is_published_and_no_hidden_cell_can_be_recomputed(inner):
    grid = with_totals(inner)
    statuses = statuses_of(grid)
    withheld = {status == Status.WITHHELD for row in statuses for status in row}
    assert len(withheld) == 1  # a table is withheld whole or not at all
    for row, status_row in zip(grid, statuses, strict=True):
        for value, status in zip(row, status_row, strict=True):
            if 0 < value < THRESHOLD:  # hidden as small, unless the whole table is
                assert status == (Status.WITHHELD if withheld == {True} else Status.PRIMARY)
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


def feasible_values(grid, statuses, threshold):
    """Every value each hidden inner cell can take, by brute force over all consistent tables.

    Only for small tables with both totals: the published cells are known, a cell shown
    "< threshold" lies in [0, threshold - 1], a "secret" one is at least the threshold.
    """
    inner_rows, inner_columns = len(grid) - 1, len(grid[0]) - 1
    # Hidden cells are searched up to past any true value (the attacker knows no bound).
    ceiling = grid[-1][-1] + 2 * threshold
    hidden = [
        (r, c)
        for r in range(inner_rows)
        for c in range(inner_columns)
        if statuses[r][c] != Status.PUBLISHED
    ]

    def domain(position):
        r, c = position
        if statuses[r][c] == Status.PUBLISHED:
            return [grid[r][c]]
        if statuses[r][c] == Status.PRIMARY:  # shown "< threshold"
            return range(threshold)
        if statuses[r][c] == Status.WITHHELD:  # the whole table withheld
            return range(ceiling + 1)
        return range(threshold, ceiling + 1)  # shown "secret"

    seen = {position: set() for position in hidden}
    candidate = [row[:-1] for row in grid[:-1]]

    def consistent():
        rows = [sum(row) for row in candidate]
        columns = [sum(column) for column in zip(*candidate, strict=True)]
        margins = [((r, inner_columns), rows[r]) for r in range(inner_rows)]
        margins += [((inner_rows, c), columns[c]) for c in range(inner_columns)]
        margins.append(((inner_rows, inner_columns), sum(rows)))
        return all(value in domain(position) for position, value in margins)

    def assign(index):
        if index == len(hidden):
            if consistent():
                for r, c in hidden:
                    seen[(r, c)].add(candidate[r][c])
            return
        r, c = hidden[index]
        for value in domain((r, c)):
            candidate[r][c] = value
            assign(index + 1)

    assign(0)
    return seen


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 5), min_size=2, max_size=2),
        min_size=2,
        max_size=2,
    )
)
def test_no_small_count_can_be_pinned_even_knowing_the_ranges_of_hidden_cells(inner):
    threshold = 3
    grid = with_totals(inner)
    statuses = protect(grid, threshold=threshold, row_totals=True, column_totals=True)
    for (r, c), possible in feasible_values(grid, statuses, threshold).items():
        if statuses[r][c] == Status.PRIMARY:
            assert len(possible) >= 2, (grid, statuses, (r, c), possible)
