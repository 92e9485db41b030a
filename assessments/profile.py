"""The needs profile: what an assessment says a person needs, read by matching, slip and stats."""

from dataclasses import dataclass, field
from datetime import date


class SupportMode:
    DO_FOR = "faire_pour"  # someone acts on the person's behalf (Aidants Connect)
    DO_WITH = "faire_avec"
    TEACH = "apprendre"  # apprendre à faire, individually or in a workshop


@dataclass(frozen=True)
class NeedPriority:
    category: str  # a `Service` value of the national standard
    priority: int  # 1 is the highest


@dataclass(frozen=True)
class Constraints:
    max_travel_km: float | None = None  # None: no limit stated
    has_car: bool = False
    uses_bus: bool = False
    home_visit: bool = False
    remote_phone: bool = False
    remote_video: bool = False
    languages: tuple[str, ...] = ("fr",)
    french_level: str = ""
    specific_needs: tuple[str, ...] = ()  # `PriseEnChargeSpecifique` values
    half_days: tuple[str, ...] = ()  # e.g. "mo-am", "tu-pm"


@dataclass(frozen=True)
class NeedsProfile:
    needs: tuple[NeedPriority, ...]
    support_mode: str = SupportMode.DO_WITH
    urgent: bool = False
    due_date: date | None = None
    constraints: Constraints = field(default_factory=Constraints)
    summary: str = ""

    @classmethod
    def from_categories(cls, categories):
        """A profile from a bare checklist of need categories, all of top priority."""
        return cls(needs=tuple(NeedPriority(category, 1) for category in categories))

    @property
    def categories(self):
        return [need.category for need in self.needs]

    @property
    def top_priority_categories(self):
        if not self.needs:
            return []
        top = min(need.priority for need in self.needs)
        return [need.category for need in self.needs if need.priority == top]
