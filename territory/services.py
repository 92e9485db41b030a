"""Loads the shipped territory files. Idempotent: loading twice changes nothing."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Commune, Department, Epci

DATA_DIR = Path(__file__).resolve().parent / "data"
DEPARTMENT_NAMES = {"46": "Lot"}
# The Lot's settings when its row is first made (a département's administrator edits them after).
LOT_SETTINGS = {"liaison": 2, "partner": "Lot Numérique", "code_prefix": "LOT"}


def department_served() -> Department:
    """The département a fresh installation serves first (`PASIP_DEPARTMENT_CODE`); unsaved,
    named by its code, until its territory is loaded."""
    code = settings.PASIP_DEPARTMENT_CODE
    return Department.objects.filter(code=code).first() or Department(code=code, name=code)


@transaction.atomic
def territory_load(
    *, department_code: str = "46", communes_csv: str | Path = DATA_DIR / "lot_communes.csv"
) -> int:
    """Creates or updates the department, its EPCIs and communes; returns the number of communes."""
    name = DEPARTMENT_NAMES.get(department_code, "")
    department, _ = Department.objects.update_or_create(
        code=department_code,
        defaults={"name": name},
        create_defaults={"name": name, **(LOT_SETTINGS if department_code == "46" else {})},
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
