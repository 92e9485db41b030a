"""Loads the territory: the shipped Lot files by default, or any département from the national
INSEE COG files (`territory/data/cog/`). Idempotent: loading twice changes nothing."""

import csv
import json
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction

from . import cog
from .models import Commune, Department, Epci

DATA_DIR = Path(__file__).resolve().parent / "data"
LOT_CODE = "46"
DEPARTMENT_NAMES = {LOT_CODE: "Lot"}
# The Lot's settings when its row is first made (a département's administrator edits them after).
LOT_SETTINGS = {"liaison": 2, "partner": "Lot Numérique", "code_prefix": "LOT"}
ALL = "all"
BATCH_SIZE = 1000
POSTAL_CODES_LENGTH = Commune._meta.get_field("postal_codes").max_length


def department_served() -> Department:
    """The département a fresh installation serves first (`PASIP_DEPARTMENT_CODE`); unsaved,
    named by its code, until its territory is loaded."""
    code = settings.PASIP_DEPARTMENT_CODE
    return Department.objects.filter(code=code).first() or Department(code=code, name=code)


class UnknownDepartment(ValueError):
    """A département code that is not in the national files."""

    def __init__(self, codes):
        self.codes = codes
        super().__init__(
            f"Département inconnu : {', '.join(codes)}. Donnez un code INSEE de département "
            "(par exemple 46, 12, 2A, 971) ou « all » pour toute la France."
        )


def territory_load(
    department_code: str | list[str] | None = None, *, communes_csv: str | Path | None = None
) -> int:
    """Creates or updates the département(s), their EPCIs and communes; returns the number of
    communes loaded.

    Without a code, or with a `communes_csv` in the Lot's format: the shipped Lot files. With a
    code, several codes or "all": the national files."""
    if department_code is None or communes_csv is not None:
        return _load_csv(
            department_code=department_code or LOT_CODE,
            communes_csv=communes_csv or DATA_DIR / "lot_communes.csv",
        )
    return _load_national(department_codes(department_code))


def department_codes(codes: str | list[str]) -> list[str]:
    """The codes asked for, checked against the national files ("all": every département)."""
    known = cog.read_departements()
    codes = [codes] if isinstance(codes, str) else list(codes)
    if any(code.strip().lower() == ALL for code in codes):
        return list(known)
    wanted = [_normal(code) for code in codes]
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise UnknownDepartment(unknown)
    return list(dict.fromkeys(wanted))


def _normal(code: str) -> str:
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() else code


@transaction.atomic
def _load_csv(*, department_code: str, communes_csv: str | Path) -> int:
    name = DEPARTMENT_NAMES.get(department_code, "")
    department, _ = Department.objects.update_or_create(
        code=department_code,
        defaults={"name": name},
        create_defaults={"name": name, **(LOT_SETTINGS if department_code == LOT_CODE else {})},
    )
    with open(communes_csv, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    epcis = {}
    for row in rows:
        if row["epci_code"] not in epcis:
            epcis[row["epci_code"]], _ = Epci.objects.update_or_create(
                code=row["epci_code"],
                defaults={"name": row["epci_name"], "department": department},
            )
        Commune.objects.update_or_create(
            insee=row["insee"],
            defaults={
                "name": row["name"],
                "population": int(row["population"]),
                "epci": epcis[row["epci_code"]],
                "department": department,
                "latitude": float(row["lat"]),
                "longitude": float(row["lon"]),
                "postal_codes": row["postal_codes"],
            },
        )
    return len(rows)


@transaction.atomic
def _load_national(codes: list[str]) -> int:
    """Bulk loading: a handful of queries per thousand communes, whatever the count."""
    known = cog.read_departements()
    everything = cog.read_communes()
    rows = [row for row in everything if row["department"] in set(codes)]
    departments = _sync(
        Department,
        "code",
        {
            code: {"name": known[code]["name"], "liaison": int(known[code]["liaison"] or 0)}
            for code in codes
        },
    )
    # An EPCI straddling départements belongs to the loaded one holding most of its communes.
    loaded = set(codes) | set(
        Department.objects.filter(communes__isnull=False).values_list("code", flat=True).distinct()
    )
    members = defaultdict(Counter)
    for row in everything:
        if row["department"] in loaded:
            members[row["epci_code"]][row["department"]] += 1
    epci_names = {row["epci_code"]: row["epci_name"] for row in rows}
    missing = set(loaded) - set(departments)
    departments |= Department.objects.in_bulk(list(missing), field_name="code")
    epcis = _sync(
        Epci,
        "code",
        {
            code: {"name": name, "department": departments[_owner(members[code])]}
            for code, name in epci_names.items()
        },
    )
    _sync(
        Commune,
        "insee",
        {
            row["insee"]: {
                "name": row["name"],
                "population": int(row["population"] or 0),
                "epci": epcis[row["epci_code"]],
                "department": departments[row["department"]],
                "latitude": float(row["lat"] or 0),
                "longitude": float(row["lon"] or 0),
                "postal_codes": _postal_codes(row["postal_codes"]),
            }
            for row in rows
        },
    )
    return len(rows)


def _owner(counts: Counter) -> str:
    return min(counts, key=lambda code: (-counts[code], code))


def _postal_codes(codes: str) -> str:
    """The codes that fit the field, whole (Paris has 21: its first ones are kept)."""
    kept = ""
    for code in codes.split():
        candidate = f"{kept} {code}".strip()
        if len(candidate) > POSTAL_CODES_LENGTH:
            break
        kept = candidate
    return kept


def _sync(model: type[models.Model], key: str, wanted: dict[str, dict]) -> dict:
    """Creates the missing rows and updates those that differ, in bulk; returns them by key."""
    existing = model.objects.in_bulk(list(wanted), field_name=key)
    created, changed, fields = [], [], set()
    for value, attributes in wanted.items():
        instance = existing.get(value)
        if instance is None:
            instance = model(**{key: value}, **attributes)
            created.append(instance)
            existing[value] = instance
            continue
        differing = {
            name
            for name, attribute in attributes.items()
            if _value(instance, name) != _value_of(attribute)
        }
        if differing:
            for name in differing:
                setattr(instance, name, attributes[name])
            changed.append(instance)
            fields |= differing
    model.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if changed:
        model.objects.bulk_update(changed, sorted(fields), batch_size=BATCH_SIZE)
    return existing


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _value_of(attribute: Any) -> Any:
    return attribute.pk if hasattr(attribute, "_meta") else attribute


def epci_outlines(department: Department | str | None) -> dict:
    """The GeoJSON outlines of the EPCIs in the département (a Department or its code): the
    shipped Lot file for the Lot, the national file otherwise; empty for an unknown code."""
    code = getattr(department, "code", department)
    return _outlines(code)


@cache
def _outlines(code: str) -> dict:
    path = DATA_DIR / "lot_epci.geojson" if code == LOT_CODE else cog.epci_outlines_path(code)
    if not path.is_file():
        return {"type": "FeatureCollection", "features": []}
    return json.loads(path.read_text(encoding="utf-8"))
