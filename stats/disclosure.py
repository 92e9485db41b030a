"""Disclosure control: which cells of a table of counts may be published.

French practice for statistics about people: no count from 1 to `threshold - 1` is published
("primary" suppression, shown as "< 11"). Where a total, a sub-total or the other rows (for
instance the neighbouring months) would let someone recompute a hidden cell, further cells are
hidden ("secondary" suppression): shown "secret" when at least the threshold, or "< 11" when
a zero is all there is to hide, so that "< 11" reads "from 0 to 10" and "secret" "11 or more".

A table is a grid of counts with, optionally, a column of row totals (last column) and a row
of column totals (last row). Each row and each column with a total is a *line*: its parts add
up to its total. The rules, applied until nothing changes:

1. every line holding a hidden cell holds at least two, and no cell shown "< 11" can be
   pinned to a single value from that line alone, knowing that it lies in
   [0, threshold - 1] and that a "secret" one lies in [threshold, ∞);
2. no hidden cell is determined by the equations of all lines together: with both totals,
   the hidden cells are the edges of a graph between rows and columns (a cell in one line
   only hangs on a "ground" node), and a cell is determined exactly when its edge is a
   bridge, so every bridge is closed into a cycle by hiding one more cell;
3. the ranges of all hidden cells, narrowed through every line in turn (interval
   propagation), leave each cell shown "< 11" more than one possible value.

Secondary cells are taken from the inner cells first, the smallest count that makes the
line safe; totals are hidden only when nothing else can protect the line.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy

UNBOUNDED = 10**12
PROBED_AT_MOST = 60  # hidden cells; beyond, ranges are narrowed by propagation alone


class Status(StrEnum):
    PUBLISHED = "published"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    WITHHELD = "withheld"  # the whole table withheld: nothing else could protect it


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when hidden
    status: Status
    threshold: int

    @property
    def hidden(self):
        return self.status != Status.PUBLISHED

    @property
    def display(self):
        if self.status == Status.PRIMARY:
            return f"< {self.threshold}"
        if self.status in (Status.SECONDARY, Status.WITHHELD):
            return "secret"
        return f"{self.value:n}" if self.value is not None else ""

    @property
    def csv(self):
        return self.display if self.hidden else str(self.value)

    def as_json(self):
        return {"value": self.value, "display": self.display, "status": str(self.status)}


def publish(value, threshold):
    """One count on its own (no line to protect): hidden only if from 1 to threshold - 1."""
    status = Status.PRIMARY if 0 < value < threshold else Status.PUBLISHED
    return Cell(None if status != Status.PUBLISHED else value, status, threshold)


def protect(grid, *, threshold, row_totals, column_totals, forced=()):
    """Statuses for every cell of `grid` (a list of rows of counts, totals included).

    `forced`: (row, column) positions already hidden in a linked table (e.g. an EPCI's total
    shown again as a sub-total of its communes); they count as secondary unless small.
    """
    statuses = _GridProtector(grid, threshold, row_totals, column_totals, forced).run()
    return [[statuses[(r, c)] for c in range(len(row))] for r, row in enumerate(grid)]


def protected_cells(grid, **kwargs):
    statuses = protect(grid, **kwargs)
    threshold = kwargs["threshold"]
    return [
        [
            Cell(None if status != Status.PUBLISHED else value, status, threshold)
            for value, status in zip(row, status_row, strict=True)
        ]
        for row, status_row in zip(grid, statuses, strict=True)
    ]


def grid_lines(n_rows, n_columns, *, row_totals, column_totals):
    """The lines of a grid: each as (whole, parts), positions whose parts add up to the whole."""
    lines = []
    if row_totals and n_columns > 1:
        last = n_columns - 1
        for row in range(n_rows):
            lines.append(((row, last), [(row, column) for column in range(last)]))
    if column_totals and n_rows > 1:
        last = n_rows - 1
        for column in range(n_columns):
            lines.append(((last, column), [(row, column) for row in range(last)]))
    return lines


def protect_linked(values, lines, *, threshold, hidden=None):
    """Statuses for linked tables: cells named by any key, the same key in several tables being
    the same count, and `lines` as (whole, parts) keys, from every table and between tables
    (a département's cell is the sum of its EPCIs'). `hidden`: {key: status} decided table by
    table beforehand, kept. Rules 1 and 3 as for one table; rule 2 is exact: no count from 1
    to threshold - 1 may follow from the published cells by linear algebra.
    """
    return _LinkedProtector(values, lines, threshold, hidden or {}).run()


class _Protector:
    """Rules 1 and 3 over cells named by keys; rule 2 is the subclass's."""

    def __init__(self, values, lines, threshold):
        self.values = values
        self.threshold = threshold
        self.status = {
            key: Status.PRIMARY if 0 < value < threshold else Status.PUBLISHED
            for key, value in values.items()
        }
        self.lines = lines
        self.margins = {whole for whole, _parts in lines}
        self.lines_of = {}
        for index, (whole, parts) in enumerate(self.lines):
            for position in (whole, *parts):
                self.lines_of.setdefault(position, []).append(index)
        self.pending = []

    def is_margin(self, position):
        return position in self.margins

    def kind_of_hidden(self, position):
        """A hidden cell below the threshold (a zero hidden to protect another) is shown
        "< threshold" like a small count; one at or above it is shown "secret"."""
        return Status.PRIMARY if self.values[position] < self.threshold else Status.SECONDARY

    def hide(self, position):
        self.status[position] = self.kind_of_hidden(position)
        self.pending.extend(self.lines_of.get(position, ()))

    def hidden(self, position):
        return self.status[position] != Status.PUBLISHED

    def run(self):
        # Lines to check again: all at first, then those holding a cell just hidden.
        self.pending = list(range(len(self.lines)))
        while True:
            while self.pending:
                line = self.lines[self.pending.pop()]
                if not self._line_safe(line):
                    self._hide_one_more(line)
            if not (self._rule_two() or self._protect_pinned_cell()):
                break
        pinned = self._pinned_cells()
        if pinned:
            # Hidden cells near the threshold, all else hidden, and still one can be worked out
            # from what "< 11" and "secret" say of them: withheld.
            self.withhold(pinned)
        return self.status

    def withhold(self, pinned):
        for key in self.status:
            self.status[key] = Status.WITHHELD

    def _rule_two(self):
        raise NotImplementedError

    def preference(self, position):
        """Secondary cells: positive inner cells first, then totals, zeros last."""
        value = self.values[position]
        return (value == 0, self.is_margin(position), value)

    # Rule 1: each line on its own.

    def _line_safe(self, line, extra=None):
        whole, parts = line
        positions = [whole, *parts]
        hidden = [p for p in positions if self.hidden(p) or p == extra]
        if not hidden:
            return True
        if len(hidden) < 2:
            return False
        # Every hidden part shown "< threshold" has the same possible values: try one of them,
        # and the total.
        small_part = next(
            (p for p in hidden if p != whole and self._kind(p, extra) == Status.PRIMARY), None
        )
        targets = [p for p in (small_part, whole) if p is not None and p in hidden]
        return not any(self._pinned(line, position, extra) for position in targets)

    def _kind(self, position, extra):
        if position == extra:
            return self.kind_of_hidden(position)
        return self.status[position]

    def _pinned(self, line, target, extra):
        """Whether a primary cell has at most one possible value given its line alone."""
        if self._kind(target, extra) != Status.PRIMARY:
            return False
        return len(self._possible_values(line, target, extra)) <= 1

    def _possible_values(self, line, target, extra):
        """Values a cell shown "< threshold" may take, its line's published cells known."""
        whole, parts = line
        hidden_parts = [p for p in parts if p != target and (self.hidden(p) or p == extra)]
        known = sum(self.values[p] for p in parts if not (self.hidden(p) or p == extra))
        small_parts = sum(1 for p in hidden_parts if self._kind(p, extra) == Status.PRIMARY)
        large_parts = len(hidden_parts) - small_parts
        small = range(self.threshold)
        if target == whole:  # the total is the published parts plus the hidden ones
            return {v for v in small if self._reachable(v - known, small_parts, large_parts)}
        if not (self.hidden(whole) or whole == extra):
            totals = [self.values[whole]]
        elif self._kind(whole, extra) == Status.PRIMARY:
            totals = small
        else:  # a "secret" total is at least the threshold, with no upper bound
            high = small_parts * (self.threshold - 1)
            return {v for v in small if large_parts or known + v + high >= self.threshold}
        return {
            v
            for v in small
            for total in totals
            if self._reachable(total - known - v, small_parts, large_parts)
        }

    def _reachable(self, rest, small_parts, large_parts):
        """Whether hidden parts, so many "< threshold" and so many "secret", can add up to
        `rest`: the former each in [0, threshold - 1], the latter each at least the threshold."""
        low = large_parts * self.threshold
        if large_parts:
            return rest >= low
        return 0 <= rest <= small_parts * (self.threshold - 1)

    def _hide_one_more(self, line):
        whole, parts = line
        candidates = [p for p in [*parts, whole] if not self.hidden(p)]
        if not candidates:
            return False

        candidates.sort(key=self.preference)
        choice = next((p for p in candidates if self._line_safe(line, extra=p)), None)
        self.hide(choice or max(candidates, key=lambda p: self.values[p]))
        return True

    # Rule 3: all lines together, with what is known of each hidden cell's range.

    def _protect_pinned_cell(self):
        """Narrows every hidden cell's range through all the lines (interval propagation, which
        never narrows too much); a primary cell left with one possible value gets one more
        hidden cell in a line of its own."""
        for position in self._pinned_cells():
            for line in self.lines:
                if position in (line[0], *line[1]):
                    candidates = [p for p in [*line[1], line[0]] if not self.hidden(p)]
                    if candidates:
                        self.hide(min(candidates, key=self.preference))
                        return True
        return False

    def _pinned_cells(self):
        return [
            position
            for position, (low, high) in self._propagated_ranges().items()
            if low == high and self.status[position] == Status.PRIMARY
        ]

    def _initial_ranges(self):
        ranges = {}
        for position, status in self.status.items():
            if status == Status.PRIMARY:
                ranges[position] = (0, self.threshold - 1)
            elif status in (Status.SECONDARY, Status.WITHHELD):
                ranges[position] = (self.threshold if status == Status.SECONDARY else 0, UNBOUNDED)
        return ranges

    def _equations(self, ranges):
        """Each line holding a cell of `ranges`: (its published cells' contribution, its
        ranged cells with their signs), for `_propagate`: the whole minus its parts is zero."""
        equations = []
        for whole, parts in self.lines:
            terms = [(whole, 1), *((part, -1) for part in parts)]
            unknown = [(p, sign) for p, sign in terms if p in ranges]
            if unknown:
                known = -sum(sign * self.values[p] for p, sign in terms if p not in ranges)
                equations.append((known, unknown))
        return equations

    def _propagate(self, ranges, equations=None):
        """Narrows `ranges` in place through every line; False if they cannot all hold."""
        if equations is None:
            equations = self._equations(ranges)
        for _round in range(50):
            changed = False
            for known, unknown in equations:
                lows = sum(ranges[p][0] if s > 0 else -ranges[p][1] for p, s in unknown)
                highs = sum(ranges[p][1] if s > 0 else -ranges[p][0] for p, s in unknown)
                for position, sign in unknown:
                    own_low = ranges[position][0] if sign > 0 else -ranges[position][1]
                    own_high = ranges[position][1] if sign > 0 else -ranges[position][0]
                    # sign * x = known - sum(s * y for the others)
                    low = known - (highs - own_high)
                    high = known - (lows - own_low)
                    if sign < 0:
                        low, high = -high, -low
                    current = ranges[position]
                    new = (max(current[0], low), min(current[1], high))
                    if new[0] > new[1]:
                        return False
                    if new != current:
                        ranges[position] = new
                        changed = True
            if not changed:
                break
        return True

    def _propagated_ranges(self):
        """Each hidden cell's range; for a table of few hidden cells, a "< 11" cell's range is
        also shaved: each value is tried, and kept only if the other ranges can still hold."""
        ranges = self._initial_ranges()
        equations = self._equations(ranges)
        self._propagate(ranges, equations)
        if len(ranges) > PROBED_AT_MOST:
            return ranges
        for position, (low, high) in list(ranges.items()):
            if self.status[position] != Status.PRIMARY:
                continue
            possible = []
            for value in range(low, high + 1):
                trial = dict(ranges)
                trial[position] = (value, value)
                if self._propagate(trial, equations):
                    possible.append(value)
            ranges[position] = (min(possible), max(possible)) if possible else (low, low)
            if len(possible) == 1:
                ranges[position] = (possible[0], possible[0])
        return ranges


class _LinkedProtector(_Protector):
    """Several tables at once: rule 2 by linear algebra on the hidden cells."""

    def __init__(self, values, lines, threshold, hidden):
        super().__init__(values, lines, threshold)
        for key, status in hidden.items():
            if status == Status.WITHHELD:
                self.status[key] = Status.WITHHELD
                self.pending.extend(self.lines_of.get(key, ()))
            elif self.status[key] == Status.PUBLISHED:
                self.hide(key)

    def _rule_two(self):
        """Each count from 1 to threshold - 1 that the published cells determine gets one more
        hidden cell in a line of its own (or, all of them hidden, the nearest line)."""
        determined = determined_cells(self.values, self.lines, self.status, self.threshold)
        for key in determined:
            candidate = self._nearest_published(key)
            if candidate is not None:
                self.hide(candidate)
        return bool(determined)

    def _nearest_published(self, key):
        seen, frontier = {key}, [key]
        while frontier:
            candidates = []
            following = []
            for position in frontier:
                for index in self.lines_of.get(position, ()):
                    whole, parts = self.lines[index]
                    for other in (whole, *parts):
                        if other in seen:
                            continue
                        seen.add(other)
                        (following if self.hidden(other) else candidates).append(other)
            if candidates:
                return min(candidates, key=self.preference)
            frontier = following
        return None

    def withhold(self, pinned):
        """The lines of each pinned cell withheld, until none is left (at worst, everything)."""
        for _round in range(len(self.lines)):
            for key in pinned:
                for index in self.lines_of.get(key, ()):
                    whole, parts = self.lines[index]
                    for other in (whole, *parts):
                        self.status[other] = Status.WITHHELD
            pinned = self._pinned_cells()
            if not pinned:
                return
        super().withhold(pinned)


def determined_cells(values, lines, status, threshold):
    """Hidden counts from 1 to threshold - 1 whose value follows from the published cells by
    linear algebra: a hidden cell is determined when every vector of the null space of the lines'
    equations (over the hidden cells) is zero there. Each group of hidden cells joined by lines
    is solved on its own (numpy's singular value decomposition)."""
    hidden = [key for key, state in status.items() if state != Status.PUBLISHED]
    group = {key: key for key in hidden}

    def root(key):
        while group[key] != key:
            group[key] = group[group[key]]
            key = group[key]
        return key

    equations = []
    for whole, parts in lines:
        terms = [
            (key, sign) for key, sign in ((whole, 1), *((p, -1) for p in parts)) if key in group
        ]
        if terms:
            equations.append(terms)
            first = root(terms[0][0])
            for key, _sign in terms[1:]:
                group[root(key)] = first
    members = {}
    for key in hidden:
        members.setdefault(root(key), []).append(key)
    by_group = {}
    for terms in equations:
        by_group.setdefault(root(terms[0][0]), []).append(terms)
    determined = []
    for name, keys in members.items():
        sensitive = [key for key in keys if 0 < values[key] < threshold]
        if not sensitive:
            continue
        rows = by_group.get(name, [])
        if not rows:
            continue
        column = {key: index for index, key in enumerate(keys)}
        matrix = numpy.zeros((len(rows), len(keys)))
        for row, terms in enumerate(rows):
            for key, sign in terms:
                matrix[row, column[key]] += sign
        if matrix.shape[0] > matrix.shape[1]:  # the same null space, in a square matrix
            matrix = numpy.linalg.qr(matrix, mode="r")
        _left, singular, right = numpy.linalg.svd(matrix)
        tolerance = max(matrix.shape) * numpy.finfo(float).eps * max(singular.max(initial=0), 1)
        rank = int((singular > tolerance).sum())
        null_space = right[rank:]
        for key in sensitive:
            if not numpy.any(numpy.abs(null_space[:, column[key]]) > 1e-8):
                determined.append(key)
    return determined


class _GridProtector(_Protector):
    """One table: rule 2 as bridges of the graph of hidden cells between rows and columns."""

    def __init__(self, grid, threshold, row_totals, column_totals, forced):
        self.n_rows = len(grid)
        self.n_columns = len(grid[0]) if grid else 0
        self.row_totals = row_totals
        self.column_totals = column_totals
        values = {(r, c): value for r, row in enumerate(grid) for c, value in enumerate(row)}
        lines = grid_lines(
            self.n_rows, self.n_columns, row_totals=row_totals, column_totals=column_totals
        )
        super().__init__(values, lines, threshold)
        for position in forced:
            if self.status[tuple(position)] == Status.PUBLISHED:
                self.hide(tuple(position))

    def _rule_two(self):
        return self._close_a_bridge()

    # Rule 2: all lines together.

    def _close_a_bridge(self):
        edges = self._hidden_edges()
        bridge = _first_bridge(edges)
        if bridge is None:
            return False
        position, a, b = bridge
        side_a, side_b = _components_without(edges, position, a, b)
        candidates = []
        for cell in self.values:
            if self.hidden(cell):
                continue
            ends = self._ends(cell)
            if (ends[0] in side_a and ends[1] in side_b) or (
                ends[0] in side_b and ends[1] in side_a
            ):
                candidates.append(cell)
        if not candidates:
            return False
        candidates.sort(key=self.preference)
        chosen = candidates[0]
        self.hide(chosen)
        return True

    def _ends(self, position):
        """The two nodes a cell joins: its row line and its column line, or the ground."""
        row, column = position
        row_node = ("row", row) if self.row_totals and self.n_columns > 1 else ("ground",)
        column_node = ("column", column) if self.column_totals and self.n_rows > 1 else ("ground",)
        return row_node, column_node

    def _hidden_edges(self):
        return [
            (position, *self._ends(position))
            for position in self.values
            if self.status[position] != Status.PUBLISHED
        ]


def _first_bridge(edges):
    """The first edge whose removal disconnects its two ends (Tarjan, iterative)."""
    adjacency = {}
    for index, (_position, a, b) in enumerate(edges):
        if a == b:
            continue
        adjacency.setdefault(a, []).append((b, index))
        adjacency.setdefault(b, []).append((a, index))
    order, low = {}, {}
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for neighbour, index in neighbours:
                if index == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, index, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    position, a, b = edges[via]
                    return position, a, b
    return None


def _components_without(edges, position, a, b):
    """Nodes reachable from `a`, and from `b`, once the edge at `position` is removed."""
    adjacency = {}
    for other, x, y in edges:
        if other == position:
            continue
        adjacency.setdefault(x, []).append(y)
        adjacency.setdefault(y, []).append(x)

    def reach(start):
        seen, todo = {start}, [start]
        while todo:
            for neighbour in adjacency.get(todo.pop(), []):
                if neighbour not in seen:
                    seen.add(neighbour)
                    todo.append(neighbour)
        return seen

    return reach(a), reach(b)
