"""Aggregates only: nothing here returns a row about a person."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth

from referrals.models import Referral
from territory.models import Epci


def referrals_by_epci_and_month(*, department):
    """{"months": [...], "rows": [{"epci": name, "counts": [...], "total": n}]} for a department."""
    counts = (
        Referral.objects.filter(person__commune__department=department)
        .annotate(month=TruncMonth("sent_at"))
        .values("person__commune__epci_id", "month")
        .annotate(count=Count("pk"))
    )
    by_epci = defaultdict(dict)
    months = set()
    for row in counts:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        months.add(month)
        by_epci[row["person__commune__epci_id"]][month] = row["count"]
    months = sorted(months)
    rows = []
    for epci in Epci.objects.filter(department=department).order_by("name"):
        values = [by_epci[epci.pk].get(month, 0) for month in months]
        rows.append(
            {"epci": epci.name, "epci_code": epci.code, "counts": values, "total": sum(values)}
        )
    return {"months": months, "rows": rows}
