"""Which hidden counts the published ones determine, by exact linear algebra (an attacker's
view, written apart from the code it checks)."""

PRIME = 2**61 - 1  # arithmetic modulo a large prime: exact, and fast on integers


def determined(lines, hidden):
    """The keys of `hidden` whose value follows from `lines` ((whole, parts) keys, the whole
    being the sum of the parts), every other key being published."""
    hidden = list(hidden)
    index = {key: i for i, key in enumerate(hidden)}
    equations = []
    for whole, parts in lines:
        row = {}
        for key, sign in [(whole, 1), *((part, -1) for part in parts)]:
            if key in index:
                row[index[key]] = (row.get(index[key], 0) + sign) % PRIME
        row = {column: value for column, value in row.items() if value}
        if row:
            equations.append(row)
    pivots = _reduce(equations)
    # A key is determined when its pivot row holds no other (free) variable.
    return [hidden[column] for column, row in pivots.items() if set(row) == {column}]


def _reduce(equations):
    """Reduced row echelon form of sparse rows {column: value} modulo PRIME:
    {pivot column: its row}."""
    pivots = {}
    for row in equations:
        row = dict(row)
        for column, pivot_row in pivots.items():
            if column in row:
                _subtract(row, pivot_row, row[column])
        if not row:
            continue
        column = min(row)
        inverse = pow(row[column], PRIME - 2, PRIME)
        row = {c: value * inverse % PRIME for c, value in row.items()}
        for other in pivots.values():
            if column in other:
                _subtract(other, row, other[column])
        pivots[column] = row
    return pivots


def _subtract(row, pivot_row, factor):
    for column, value in pivot_row.items():
        updated = (row.get(column, 0) - factor * value) % PRIME
        if updated:
            row[column] = updated
        else:
            row.pop(column, None)
