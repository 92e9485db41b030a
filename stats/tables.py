"""The tables the statistics show (rows of disclosure-controlled cells and derived figures),
their threshold, and their form as stored JSON."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from .disclosure import Cell, Status

# The département whose tables are being built: its own threshold, if it set one, applies.
_department = ContextVar("stats_department", default=None)


def threshold(department=None):
    """The smallest count published: the département's own (`Department.stats_min_count`),
    else the national one (`PASIP_STATS_MIN_COUNT`)."""
    department = department or _department.get()
    if department is not None:
        return department.stats_threshold()
    return settings.PASIP_STATS_MIN_COUNT


@contextmanager
def department_tables(department):
    """Within this block, `threshold()` is `department`'s."""
    token = _department.set(department)
    try:
        yield
    finally:
        _department.reset(token)


@dataclass(frozen=True)
class Figure:
    """A figure derived from published counts: a rate, a median; hidden when they are."""

    value: float | int | None
    display: str
    status: Status = Status.PUBLISHED

    @property
    def hidden(self):
        return self.status != Status.PUBLISHED

    @property
    def csv(self):
        return self.display

    def as_json(self):
        return {"value": self.value, "display": self.display, "status": str(self.status)}


HIDDEN_FIGURE = Figure(None, "secret", Status.SECONDARY)


@dataclass
class Row:
    label: str
    cells: list
    total: bool = False
    group: bool = False  # a sub-total heading the rows that follow (communes of an EPCI)
    key: object = None  # what the row is about (an EPCI's id, a type, a need), for the filters


@dataclass
class StatTable:
    slug: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    chart_column: int | None = None  # the column drawn as bars, if any
    column_keys: list = field(default_factory=list)  # what each column is about, if anything
    scope: str = ""  # said above the table when a filter does not apply to it

    @property
    def keys(self):
        return [row.key for row in self.rows]

    def as_json(self):
        return {
            "slug": self.slug,
            "title": self.title,
            "row_header": self.row_header,
            "columns": self.columns,
            "rows": [
                {
                    "label": row.label,
                    "total": row.total,
                    "group": row.group,
                    "cells": [cell.as_json() for cell in row.cells],
                }
                for row in self.rows
            ],
            "notes": self.notes,
        }

    def csv_rows(self):
        yield [self.row_header, *self.columns]
        for row in self.rows:
            yield [row.label, *(cell.csv for cell in row.cells)]


ALL = "*"


TOTAL = object()  # a table's total row or column


def count(period="Y", zone=ALL, typology=ALL, need=ALL, measure="all"):
    """The name of one count of the year, the same in every table that shows it: the referrals
    of a period (the year "Y" or a month), a zone (an EPCI, a commune), a type of referring
    structure and a need, and what is counted of them ("all", ("state", "sent"), ("age", "75+")…).
    """
    return (period, zone, typology, need, measure)


def table_dump(table):
    """A table as JSON: cells as [value, status], figures with their display."""

    def cell(item):
        if isinstance(item, Cell):
            return {"c": [item.value, str(item.status)]}
        return {"f": [item.value, item.display, str(item.status)]}

    return {
        "slug": table.slug,
        "title": str(table.title),
        "row_header": str(table.row_header),
        "columns": [str(column) for column in table.columns],
        "rows": [
            [
                str(row.label),
                [cell(item) for item in row.cells],
                row.total,
                row.group,
                _plain(row.key),
            ]
            for row in table.rows
        ],
        "notes": [str(note) for note in table.notes],
        "chart_column": table.chart_column,
        "column_keys": [None if key is TOTAL else _plain(key) for key in table.column_keys],
    }


def _plain(key):
    """A row's or column's key as JSON: what filters compare (an id, a code) as it is, a month
    as its ISO date."""
    return key.isoformat() if isinstance(key, date) else key


def table_load(data, threshold_value):
    def cell(item):
        if "c" in item:
            value, status = item["c"]
            return Cell(value, Status(status), threshold_value)
        value, display, status = item["f"]
        return Figure(value, display, Status(status))

    return StatTable(
        data["slug"],
        data["title"],
        data["row_header"],
        data["columns"],
        [
            Row(label, [cell(item) for item in cells], total, group, key)
            for label, cells, total, group, key in data["rows"]
        ],
        notes=data["notes"],
        chart_column=data["chart_column"],
        column_keys=[TOTAL if key is None else key for key in data["column_keys"]],
    )
