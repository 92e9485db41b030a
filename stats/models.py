"""Pre-aggregated counts, rebuilt from the referrals by a Celery beat task (`tasks.py`).

No row here is about a person: each counts the referrals of a month, a zone, a type of
referring structure and a need category. The dashboard reads these tables only, so that
years of referrals answer in a few milliseconds. `need` is "" for the row that counts each
referral once, or one need category for the rows that count the referrals with that need.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.profile import SupportMode
from referrals.models import DeclineReason, Outcome, ReferralState

AGE_BANDS = ["16-24", "25-44", "45-59", "60-74", "75+", ""]
SUPPORT_MODES = [*SupportMode.values, ""]
# What each cube row counts, besides its referrals: "state:accepted", "age:75+", "mode:"…
COUNT_KEYS = [
    *(f"state:{state}" for state in ReferralState.values),
    *(f"decline:{reason}" for reason in DeclineReason.values),
    *(f"outcome:{outcome}" for outcome in Outcome.values),
    *(f"age:{band}" for band in AGE_BANDS),
    *(f"mode:{mode}" for mode in SUPPORT_MODES),
]


def count_column(key):
    """The column of a count key: "age:75+" → "age_75_plus", "mode:" → "mode_unknown"."""
    kind, value = key.split(":", 1)
    value = value.replace("-", "_").replace("+", "_plus") or "unknown"
    return f"{kind}_{value}"


class ReferralCube(models.Model):
    department = models.ForeignKey(
        "territory.Department", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    epci = models.ForeignKey("territory.Epci", on_delete=models.CASCADE, related_name="+")
    typology = models.CharField(max_length=30, blank=True)
    need = models.CharField(max_length=100, blank=True)
    referrals = models.PositiveIntegerField(default=0)
    # One integer column per count key (added below): summed by the database, fast.
    # {"answer": {"3": n, ...}, "meeting": {...}, "closure": {...}}: working days → referrals
    delays = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["department", "need", "month"], name="stats_cube_slice")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.epci_id} {self.typology} {self.need}: {self.referrals}"


for _key in COUNT_KEYS:
    ReferralCube.add_to_class(count_column(_key), models.PositiveIntegerField(default=0))


class CommuneCube(models.Model):
    department = models.ForeignKey(
        "territory.Department", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    epci = models.ForeignKey("territory.Epci", on_delete=models.CASCADE, related_name="+")
    typology = models.CharField(max_length=30, blank=True)
    need = models.CharField(max_length=100, blank=True)
    referrals = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["department", "need", "month"], name="stats_commune_slice")]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.commune_id}: {self.referrals}"


class StructureCube(models.Model):
    """Referrals sent by each referring structure: the network's uptake (active structures)."""

    department = models.ForeignKey(
        "territory.Department", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    structure_id = models.BigIntegerField()
    epci = models.ForeignKey("territory.Epci", on_delete=models.CASCADE, related_name="+")
    typology = models.CharField(max_length=30, blank=True)
    need = models.CharField(max_length=100, blank=True)
    referrals = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["department", "need", "month"], name="stats_structure_slice")
        ]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.structure_id}: {self.referrals}"


class Refresh(models.Model):
    """When the tables above were last rebuilt, shown on the dashboard."""

    done_at = models.DateTimeField(_("données arrêtées au"))
    referrals = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        get_latest_by = "done_at"
        indexes = [models.Index(fields=["done_at"], name="stats_refresh_done_at")]

    def __str__(self):
        return f"{self.done_at:%d/%m/%Y %H:%M}"


class PublishedYear(models.Model):
    """A year's tables as published after a rebuild of the counts, disclosure control done:
    computed once (by the worker right after the rebuild, or by the first request), then read
    by every process. Those of older rebuilds are deleted by the next one."""

    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "territory.Department", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10)
    threshold = models.PositiveSmallIntegerField()
    tables = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["refresh", "department", "year", "language", "threshold"],
                name="stats_published_year_once",
            )
        ]

    def __str__(self):
        return f"{self.year} ({self.refresh})"
